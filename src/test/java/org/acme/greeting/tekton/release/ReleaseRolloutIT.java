package org.acme.greeting.tekton.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.acme.greeting.tekton.release.ApiServerStandIn.Write;
import org.acme.greeting.tekton.release.ReleaseTaskRun.Outcome;
import org.acme.greeting.support.FileTrees;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The release path of tekton/ (acquire, deploy, smoke test, promote, finish) run for real against
 * realistic Knative Service states: the Task's own script, the real kubectl, jq and kustomize, an
 * API server stand-in with the API server's concurrency rules, and a stand-in for what Knative
 * Serving 1.20 does with a Service (see both classes; the states are in
 * src/test/resources/knative-states). Each case asserts the exact traffic every write applied.
 * Needs kubectl and jq (tag "tools").
 */
@Tag("tools")
class ReleaseRolloutIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROD = "greeting-prod";
    /** The pipeline's rights: every request of the scripts is authorized by them, as on a cluster. */
    private static final Path RBAC = Path.of("tekton", "rbac.yaml");
    private static final String CANDIDATE_URL = "http://candidate-greeting.greeting-prod.svc.cluster.local";
    /** What the API server answers when Knative's validating webhook does not answer in time. */
    private static final String WEBHOOK_TIMEOUT = "Internal error occurred: failed calling webhook \"validation.webhook.serving.knative.dev\":"
            + " failed to call webhook: Post \"https://webhook.knative-serving.svc:443/resource-validation?timeout=10s\":"
            + " context deadline exceeded";

    @TempDir
    Path tmp;

    private ApiServerStandIn api;
    private KnativeServingStandIn knative;
    private Path kubeconfig;
    private Path source;

    @BeforeEach
    void cluster() throws IOException {
        api = new ApiServerStandIn();
        knative = new KnativeServingStandIn(api);
        api.authorize(RbacAuthorizer.of(RBAC, "greeting-cicd", "greeting-pipeline", object -> object));
        kubeconfig = api.writeKubeconfig(tmp.resolve("kubeconfig"));
        source = tmp.resolve("source");
        FileTrees.copy(Path.of("knative"), source.resolve("knative"));
    }

    @AfterEach
    void stop() {
        knative.close();
        api.close();
    }

    @ParameterizedTest
    @ValueSource(strings = { "dev", "prod" })
    void firstDeployToAnEmptyNamespaceStaysClusterLocalUntilPromoted(String environment) {
        String namespace = "greeting-" + environment;
        ReleaseTaskRun run = new ReleaseTaskRun("greeting-" + environment + "-first", environment, tmp, kubeconfig, source);
        succeeds(run.acquire());
        Outcome deployed = succeeds(run.deploy(environment.equals("prod") ? "v1.0.0" : "4e1d2c3"));
        String revision = deployed.revision();
        assertTrue(revision.matches("greeting-(v1-0-0|4e1d2c3)-[0-9a-f]{8}"), revision);
        assertEquals("http://candidate-greeting." + namespace + ".svc.cluster.local", deployed.url());
        JsonNode created = service(namespace);
        assertEquals("cluster-local", created.path("metadata").path("labels").path(KnativeServingStandIn.VISIBILITY).asText());
        assertEquals("http://greeting." + namespace + ".svc.cluster.local", created.path("status").path("url").asText(),
                "nothing is public before the smoke test");
        assertTrue(created.path("spec").path("template").path("spec").path("containers").get(0).path("image").asText()
                .endsWith("@" + ReleaseTaskRun.digestOf(environment.equals("prod") ? "v1.0.0" : "4e1d2c3")), "pinned by digest");

        succeeds(run.promote(revision));
        succeeds(run.finish());

        assertEquals(List.of(
                traffic(target(revision, 100, "candidate")),
                traffic(target(revision, 100, null))), trafficWritten(namespace));
        JsonNode promoted = service(namespace);
        assertTrue(promoted.path("metadata").path("labels").path(KnativeServingStandIn.VISIBILITY).isMissingNode(), "public");
        assertEquals("http://greeting." + namespace + ".example.com", promoted.path("status").path("url").asText());
        assertEquals(traffic(target(revision, 100, null)), serving(namespace));
        assertNull(holder(namespace), "the lease is released");
    }

    @Test
    void aNormalReleaseTestsTheNewRevisionAtAClusterLocalTagWhileTheServingOneKeepsAllTraffic() {
        load("serving-00007.yaml");
        ReleaseTaskRun run = run("greeting-prod-v130");
        succeeds(run.acquire());
        Outcome deployed = succeeds(run.deploy("v1.3.0"));
        String revision = deployed.revision();
        assertEquals(CANDIDATE_URL, deployed.url());
        assertEquals("[{\"revisionName\":\"greeting-00007\",\"percent\":100}]", deployed.serving());
        assertEquals(List.of(target(revision, 0, "candidate")), tagged("candidate"), "the candidate is the new revision");
        assertEquals(CANDIDATE_URL, service(PROD).path("status").path("traffic").get(1).path("url").asText());

        succeeds(run.promote(revision));
        succeeds(run.finish());

        assertEquals(guardedRollout("greeting-00007", revision), trafficWritten(PROD));
        labelledClusterLocalBeforeTheNewRevisionWasBehindTheTag(revision);
        assertEquals(traffic(target(revision, 100, null)), serving(PROD));
        assertNull(api.get(ApiServerStandIn.SERVICE, PROD, "candidate-greeting"), "the tag's placeholder Service went with the tag");
    }

    /**
     * The defect: after a failed smoke test the failed candidate is the newest Ready revision, and
     * the next release put 100% on it. What serves comes from the route now, so it never does.
     */
    @Test
    void theReleaseAfterAFailedSmokeTestKeepsTheRevisionThatServedAndNeverRoutesToTheFailedOne() {
        load("serving-00007.yaml");
        ReleaseTaskRun failed = run("greeting-prod-v130");
        succeeds(failed.acquire());
        String rejected = succeeds(failed.deploy("v1.3.0")).revision();
        // The smoke test fails here (say, the candidate cannot reach Redis: /ready 503), so no promote.
        succeeds(failed.finish());
        assertEquals(rejected, service(PROD).path("status").path("latestReadyRevisionName").asText(),
                "the failed candidate is now the newest Ready revision");
        assertEquals(traffic(target("greeting-00007", 100, null)), serving(PROD), "traffic as it was");
        assertEquals(List.of(), tagged("candidate"), "the candidate tag is gone");

        Outcome deployed = releaseWithPassingSmokeTest("greeting-prod-v131", "v1.3.1");
        assertEquals("[{\"revisionName\":\"greeting-00007\",\"percent\":100}]", deployed.serving());

        assertEquals(traffic(target(deployed.revision(), 100, null)), serving(PROD));
        neverCarriedTraffic(rejected);
    }

    @Test
    void theReleaseAfterAManualRollbackKeepsTheRolledBackRevisionUntilThePromote() {
        load("rolled-back.yaml");
        Outcome deployed = releaseWithPassingSmokeTest("greeting-prod-v131", "v1.3.1");
        assertEquals("[{\"revisionName\":\"greeting-00007\",\"percent\":100}]", deployed.serving());
        assertEquals(guardedRollout("greeting-00007", deployed.revision()), trafficWritten(PROD));
        neverCarriedTraffic("greeting-00009");
    }

    @Test
    void aTrafficSplitLeftByHandIsKeptUntilThePromoteAndItsTagAfter() {
        load("split-by-hand.yaml");
        String revision = releaseWithPassingSmokeTest("greeting-prod-v130", "v1.3.0").revision();
        assertEquals(List.of(
                traffic(target("greeting-00007", 90, null), target("greeting-00008", 10, "canary"),
                        target("greeting-00007", 0, "candidate")),
                traffic(target("greeting-00007", 90, null), target("greeting-00008", 10, "canary"),
                        target(revision, 0, "candidate")),
                traffic(target(revision, 100, null), target("greeting-00008", 0, "canary"))), trafficWritten(PROD));
    }

    @Test
    void aCandidateTagLeftByAFailedRunIsReplacedAndItsFailedTemplateDoesNotStopTheRelease() {
        load("candidate-left.yaml");
        Outcome deployed = releaseWithPassingSmokeTest("greeting-prod-v122", "v1.2.2");
        assertEquals("[{\"revisionName\":\"greeting-00007\",\"percent\":100}]", deployed.serving());
        assertEquals(guardedRollout("greeting-00007", deployed.revision()), trafficWritten(PROD));
        neverCarriedTraffic("greeting-v1-2-1-0badf00d");
    }

    @Test
    void theServiceTheOldInstallCreatedWithAPlaceholderImageIsReleasedLikeAFirstDeploy() {
        load("placeholder-image.yaml");
        ReleaseTaskRun run = run("greeting-prod-v100");
        succeeds(run.acquire());
        Outcome deployed = succeeds(run.deploy("v1.0.0"));
        assertEquals("[]", deployed.serving());
        assertEquals("cluster-local", service(PROD).path("metadata").path("labels").path(KnativeServingStandIn.VISIBILITY).asText());
        succeeds(run.promote(deployed.revision()));
        succeeds(run.finish());

        assertEquals(List.of(
                traffic(target(deployed.revision(), 100, "candidate")),
                traffic(target(deployed.revision(), 100, null))), trafficWritten(PROD));
        assertEquals("http://greeting.greeting-prod.example.com", service(PROD).path("status").path("url").asText());
    }

    @Test
    void aRevisionThatNeverStartsFailsTheDeployWithKnativesReasonAndTheTrafficStaysAsItWas() {
        load("serving-00007.yaml");
        knative.failRevisionsWhere(revision -> revision.path("spec").path("containers").get(0).path("image").asText()
                .endsWith(ReleaseTaskRun.digestOf("v1.3.0")) ? "Back-off pulling image" : null);
        ReleaseTaskRun run = run("greeting-prod-v130");
        succeeds(run.acquire());
        Outcome deployed = run.deploy("v1.3.0");
        assertFalse(deployed.succeeded(), deployed.output());
        assertTrue(deployed.output().contains("failed: revision ExitCode1: Back-off pulling image"), deployed.output());
        succeeds(run.finish());

        assertEquals(traffic(target("greeting-00007", 100, null)), serving(PROD));
        assertEquals(List.of(), tagged("candidate"));
        assertEquals(traffic(target("greeting-00007", 100, null)), specTraffic(), "the candidate tag is removed, the rest kept");
    }

    /**
     * The route writes status.traffic before the gateway routes it (route.go: configureTraffic,
     * then reconcileIngress). The deploy returns only once the gateway sends the tag to the new
     * revision, so the smoke test never meets the previous revision, or a 404 on a first deploy.
     */
    @ParameterizedTest
    @ValueSource(strings = { "serving-00007.yaml", "" })
    void theDeployReturnsOnlyOnceTheGatewayRoutesTheCandidateTagToTheNewRevision(String state) {
        if (!state.isEmpty()) {
            load(state);
        }
        knative.ingressTakes(Duration.ofSeconds(2));
        ReleaseTaskRun run = run("greeting-prod-v130");
        succeeds(run.acquire());
        String revision = succeeds(run.deploy("v1.3.0")).revision();
        assertEquals(revision, knative.routedByGateway(PROD, "greeting", "candidate"),
                "what the smoke test reaches at the candidate tag when the deploy returns");
        succeeds(run.promote(revision));
        assertEquals(revision, knative.routedByGateway(PROD, "greeting", ""), "what callers reach when the promote returns");
        succeeds(run.finish());
    }

    /**
     * A transient API or webhook error while finish removes the candidate tag: the Lease is
     * released all the same (else the environment is blocked for lease-seconds), finish fails
     * naming what it left, and the next release goes through at once.
     */
    @ParameterizedTest
    @ValueSource(strings = { "GET", "PUT" })
    void anErrorWhileFinishRemovesTheTagStillReleasesTheLeaseAndSaysWhatItLeft(String method) {
        load("serving-00007.yaml");
        ReleaseTaskRun run = run("greeting-prod-v130");
        succeeds(run.acquire());
        succeeds(run.deploy("v1.3.0"));
        api.failNext(method, ApiServerStandIn.KSVC, 1, WEBHOOK_TIMEOUT);

        Outcome finished = run.finish();

        assertFalse(finished.succeeded(), finished.output());
        assertTrue(finished.output().contains("failed calling webhook"), finished.output());
        assertTrue(finished.output().contains("released the lease, but could not remove the candidate tag of greeting"
                + " (the error is above); traffic is unchanged, remove the tag with: kn service update greeting -n greeting-prod"
                + " --untag candidate"), finished.output());
        assertNull(holder(PROD), "the lease is released");
        assertEquals(traffic(target("greeting-00007", 100, null)), serving(PROD), "traffic as it was");

        Outcome next = releaseWithPassingSmokeTest("greeting-prod-v131", "v1.3.1");
        assertEquals(traffic(target(next.revision(), 100, null)), serving(PROD));
    }

    @Test
    void finishReadsAndReleasesTheLeaseAgainAfterTransientErrors() {
        load("serving-00007.yaml");
        ReleaseTaskRun run = run("greeting-prod-v130");
        succeeds(run.acquire());
        succeeds(run.deploy("v1.3.0"));
        api.failNext("GET", ApiServerStandIn.LEASE, 2, "etcdserver: request timed out");
        api.failNext("PUT", ApiServerStandIn.LEASE, 2, "etcdserver: request timed out");

        Outcome finished = succeeds(run.finish());

        assertTrue(finished.output().contains("could not read Lease greeting-release (attempt 1)"), finished.output());
        assertTrue(finished.output().contains("could not release Lease greeting-release yet (attempt 1)"), finished.output());
        assertNull(holder(PROD), "the lease is released");
        assertEquals(List.of(), tagged("candidate"), "the candidate tag is gone");
    }

    /**
     * Names Knative derives from the cluster's settings are read, not assumed: the placeholder
     * Service from config-network's tag-template, the cluster domain from the Service's own
     * cluster-local address. With the defaults assumed, the label failed with NotFound.
     */
    @Test
    void anotherTagTemplateAndClusterDomainAreTakenFromTheCluster() {
        knativeConfig("config-network", "tag-template", "{{.Name}}-{{.Tag}}");
        knative.clusterDomain("corp.internal");
        load("serving-00007.yaml");
        // rbac.yaml as shipped lets the pipeline label candidate-greeting only: refused, and said so.
        ReleaseTaskRun refused = run("greeting-prod-refused");
        succeeds(refused.acquire());
        Outcome forbidden = refused.deploy("v1.3.0");
        assertFalse(forbidden.succeeded(), forbidden.output());
        assertTrue(forbidden.output().contains("services \"greeting-candidate\" is forbidden"), forbidden.output());
        assertTrue(forbidden.output().contains("could not label greeting-candidate, the placeholder Service of tag candidate"),
                forbidden.output());
        succeeds(refused.finish());
        // With the template's result in rbac.yaml, as its comment says.
        api.authorize(RbacAuthorizer.of(RBAC, "greeting-cicd", "greeting-pipeline", object -> {
            object.findValues("resourceNames").stream().filter(names -> names.toString().equals("[\"candidate-greeting\"]"))
                    .forEach(names -> ((com.fasterxml.jackson.databind.node.ArrayNode) names).removeAll().add("greeting-candidate"));
            return object;
        }));
        ReleaseTaskRun run = run("greeting-prod-v130");
        succeeds(run.acquire());
        Outcome deployed = succeeds(run.deploy("v1.3.0"));
        assertEquals("http://greeting-candidate.greeting-prod.svc.corp.internal", deployed.url());
        assertEquals("cluster-local", api.get(ApiServerStandIn.SERVICE, PROD, "greeting-candidate").path("metadata")
                .path("labels").path(KnativeServingStandIn.VISIBILITY).asText(), "the placeholder Knative made is labelled");
        succeeds(run.promote(deployed.revision()));
        succeeds(run.finish());
        List<JsonNode> written = trafficWritten(PROD);
        assertEquals(guardedRollout("greeting-00007", deployed.revision()), written.subList(written.size() - 3, written.size()));
    }

    /**
     * With tag-header-based-routing Enabled, a public request carrying Knative-Serving-Tag:
     * candidate reaches the candidate whatever its visibility (resources/ingress.go): the deploy
     * refuses before it writes anything.
     */
    @Test
    void tagHeaderBasedRoutingEnabledMakesTheDeployRefuseBeforeAnythingChanges() {
        knativeConfig("config-features", "tag-header-based-routing", "Enabled");
        load("serving-00007.yaml");
        ReleaseTaskRun run = run("greeting-prod-v130");
        succeeds(run.acquire());
        Outcome deployed = run.deploy("v1.3.0");
        assertFalse(deployed.succeeded(), deployed.output());
        assertTrue(deployed.output().contains("config-features in knative-serving has tag-header-based-routing: Enabled, so a"
                + " public request with the header Knative-Serving-Tag: candidate would reach the untested candidate"), deployed.output());
        succeeds(run.finish());
        assertEquals(List.of(), trafficWritten(PROD), "nothing was written to the Service");
    }

    /**
     * external-domain-tls on: a first deploy's promote makes the Service public, and Knative orders
     * its certificate. The gateway routes at once; Ready stays Unknown (CertificateNotReady) until
     * the ACME order is filled, which the promote does not wait for, but reports.
     */
    @Test
    void aCertificateStillBeingIssuedDoesNotHoldUpTheFirstPromote() {
        knative.certificatesPending(true);
        ReleaseTaskRun run = run("greeting-prod-first");
        succeeds(run.acquire());
        Outcome deployed = succeeds(run.deploy("v1.0.0"));
        Outcome promoted = succeeds(run.promote(deployed.revision()));
        assertTrue(promoted.output().contains("its certificate is still being issued, HTTPS follows when it is"), promoted.output());
        assertEquals(deployed.revision(), knative.routedByGateway(PROD, "greeting", ""));
        succeeds(run.finish());
    }

    @ParameterizedTest
    @ValueSource(strings = { "v1.1.9", "v1.2.0-rc.1" })
    void anOlderVersionThanTheOneServingIsRefusedBeforeAnythingChanges(String older) {
        load("serving-00007.yaml");
        ReleaseTaskRun run = run("greeting-prod-old");
        succeeds(run.acquire());
        Outcome deployed = run.deploy(older);
        assertFalse(deployed.succeeded(), deployed.output());
        assertTrue(deployed.output().contains("greeting-00007 serves version v1.2.0, newer than " + older), deployed.output());
        succeeds(run.finish());
        assertEquals(List.of(), trafficWritten(PROD), "nothing was written to the Service");
    }

    @Test
    void aNewerVersionComparesByNumberNotByText() {
        load("serving-00007.yaml");
        ReleaseTaskRun run = run("greeting-prod-v1100");
        succeeds(run.acquire());
        succeeds(run.deploy("v1.10.0"));
        succeeds(run.finish());
    }

    /**
     * Two tags pushed close together: both runs start at once. One takes the lease and releases
     * while the other waits; each smoke-tests its own revision; the newer version serves at the
     * end, whichever order they ran in (the older one is refused if it comes second).
     */
    @Test
    void twoRunsRacingReleaseOneAfterTheOtherAndTheNewerVersionServesAtTheEnd() throws Exception {
        load("serving-00007.yaml");
        ReleaseTaskRun older = run("greeting-prod-v130");
        ReleaseTaskRun newer = run("greeting-prod-v131");
        ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        CompletableFuture<String> a = CompletableFuture.supplyAsync(() -> release(older, "v1.3.0", start, events));
        CompletableFuture<String> b = CompletableFuture.supplyAsync(() -> release(newer, "v1.3.1", start, events));
        start.countDown();
        String olderOutcome = a.get(3, TimeUnit.MINUTES);
        String newerOutcome = b.get(3, TimeUnit.MINUTES);

        List<String> order = new ArrayList<>(events);
        assertEquals(6, order.size(), order.toString());
        String first = order.get(0).split(" ")[0];
        assertEquals(List.of(first + " acquired", first + " deployed", first + " finished"), order.subList(0, 3),
                "one run holds the lease from acquire to finish: " + order);
        assertTrue(order.get(3).endsWith("acquired"), order.toString());
        assertTrue(newerOutcome.startsWith("promoted "), newerOutcome);
        String served = newerOutcome.substring("promoted ".length());
        assertEquals(traffic(target(served, 100, null)), serving(PROD));
        if (first.equals(newer.holder())) {
            assertTrue(olderOutcome.contains("serves version v1.3.1, newer than v1.3.0"), olderOutcome);
        } else {
            assertTrue(olderOutcome.startsWith("promoted "), olderOutcome);
        }
        assertTrue(order.stream().noneMatch(e -> e.contains("candidate was not")), order.toString());
    }

    /** One webhook delivered twice: the same version twice; the second run deploys the same revision again. */
    @Test
    void aWebhookDeliveredTwiceReleasesTheSameRevisionOnce() throws Exception {
        load("serving-00007.yaml");
        CountDownLatch start = new CountDownLatch(1);
        ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
        CompletableFuture<String> a = CompletableFuture.supplyAsync(() -> release(run("greeting-prod-a"), "v1.3.0", start, events));
        CompletableFuture<String> b = CompletableFuture.supplyAsync(() -> release(run("greeting-prod-b"), "v1.3.0", start, events));
        start.countDown();
        String first = a.get(3, TimeUnit.MINUTES);
        String second = b.get(3, TimeUnit.MINUTES);
        assertEquals(first, second, "both promoted the same revision");
        assertEquals(2, api.list(ApiServerStandIn.REVISION, PROD).size(), "greeting-00007 and one new revision: " + first);
        assertEquals(traffic(target(first.substring("promoted ".length()), 100, null)), serving(PROD));
    }

    @Test
    void aLeaseWhoseHolderWasKilledIsTakenOverOnceItExpires() {
        loadLease("greeting-prod-killed", Instant.now().minusSeconds(3 * 3600), 7200);
        ReleaseTaskRun run = run("greeting-prod-next");
        Outcome acquired = succeeds(run.acquire());
        assertTrue(acquired.output().contains("took over"), acquired.output());
        JsonNode lease = api.get(ApiServerStandIn.LEASE, PROD, "greeting-release");
        assertEquals("greeting-prod-next", lease.path("spec").path("holderIdentity").asText());
        assertEquals(1, lease.path("spec").path("leaseTransitions").asInt());
    }

    @Test
    void aRunThatDoesNotHoldTheLeaseWaitsThenGivesUpAndItsFinishTouchesNothing() {
        load("serving-00007.yaml");
        ReleaseTaskRun holder = run("greeting-prod-holder");
        succeeds(holder.acquire());
        String candidate = succeeds(holder.deploy("v1.3.0")).revision();
        int writes = api.writes().size();

        ReleaseTaskRun waiting = run("greeting-prod-waiting");
        Outcome gaveUp = waiting.run("acquire", "wait-seconds=2");
        assertFalse(gaveUp.succeeded(), gaveUp.output());
        assertTrue(gaveUp.output().contains("waiting: greeting-prod-holder holds the release lease of greeting-prod"), gaveUp.output());
        assertTrue(gaveUp.output().contains("kubectl delete lease greeting-release -n greeting-prod"), gaveUp.output());
        Outcome finished = succeeds(waiting.finish());
        assertTrue(finished.output().contains("does not hold the release lease"), finished.output());
        assertFalse(waiting.promote(candidate).succeeded(), "promote needs the lease too");
        assertFalse(waiting.deploy("v1.3.1").succeeded(), "deploy needs the lease too");

        assertEquals(List.of(), api.writes().subList(writes, api.writes().size()).stream()
                .filter(w -> !w.verb().equals("status")).toList(), "the run without the lease wrote nothing");
        assertEquals(List.of(target(candidate, 0, "candidate")), tagged("candidate"), "the holder's candidate is untouched");
        assertEquals("greeting-prod-holder", holder(PROD));
    }

    // ---- the runs --------------------------------------------------------------------------------

    private ReleaseTaskRun run(String holder) {
        return new ReleaseTaskRun(holder, "prod", tmp, kubeconfig, source);
    }

    /** A prod run from acquire to finish whose smoke test passed; its deploy's outcome. */
    private Outcome releaseWithPassingSmokeTest(String holder, String version) {
        ReleaseTaskRun run = run(holder);
        succeeds(run.acquire());
        Outcome deployed = succeeds(run.deploy(version));
        succeeds(run.promote(deployed.revision()));
        succeeds(run.finish());
        return deployed;
    }

    /**
     * The three traffic writes of a release while one revision serves everything: the candidate
     * tag on the serving revision, then on the new one at 0%, then the new one at 100%.
     */
    private static List<JsonNode> guardedRollout(String serving, String revision) {
        return List.of(
                traffic(target(serving, 100, null), target(serving, 0, "candidate")),
                traffic(target(serving, 100, null), target(revision, 0, "candidate")),
                traffic(target(revision, 100, null)));
    }

    /** A whole run as the Pipeline makes it, smoke test passing; events name each step it finished. */
    private String release(ReleaseTaskRun run, String version, CountDownLatch start, ConcurrentLinkedQueue<String> events) {
        try {
            start.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
        String outcome;
        succeeds(run.acquire());
        events.add(run.holder() + " acquired");
        Outcome deployed = run.deploy(version);
        if (deployed.succeeded()) {
            List<JsonNode> candidate = tagged("candidate");
            if (!candidate.equals(List.of(target(deployed.revision(), 0, "candidate")))) {
                events.add(run.holder() + " candidate was not its own: " + candidate);
            }
            Outcome promoted = run.promote(deployed.revision());
            outcome = promoted.succeeded() ? "promoted " + deployed.revision() : promoted.output();
        } else {
            outcome = deployed.output();
        }
        events.add(run.holder() + " deployed");
        succeeds(run.finish());
        events.add(run.holder() + " finished");
        return outcome;
    }

    // ---- what the API server holds and was sent ----------------------------------------------------

    /** The spec.traffic of every write our scripts made to the Knative Service, in order. */
    private List<JsonNode> trafficWritten(String namespace) {
        List<JsonNode> written = new ArrayList<>();
        for (Write write : api.writes()) {
            if (write.resource().equals(ApiServerStandIn.KSVC.qualified()) && Set.of("create", "replace").contains(write.verb())
                    && write.object().path("metadata").path("namespace").asText().equals(namespace)) {
                written.add(write.object().path("spec").path("traffic"));
            }
        }
        return written;
    }

    /** Where the route sends traffic now: status.traffic targets with a share, as written by the controller. */
    private JsonNode serving(String namespace) {
        List<JsonNode> targets = new ArrayList<>();
        service(namespace).path("status").path("traffic").forEach(t -> {
            if (t.path("percent").asInt() > 0) {
                targets.add(target(t.path("revisionName").asText(), t.path("percent").asInt(), t.path("tag").asText(null)));
            }
        });
        return JSON.valueToTree(targets);
    }

    private JsonNode specTraffic() {
        return service(PROD).path("spec").path("traffic");
    }

    /** The route's targets under a tag, as status.traffic has them (without their URL). */
    private List<JsonNode> tagged(String tag) {
        List<JsonNode> found = new ArrayList<>();
        service(PROD).path("status").path("traffic").forEach(t -> {
            if (tag.equals(t.path("tag").asText())) {
                found.add(target(t.path("revisionName").asText(), t.path("percent").asInt(), tag));
            }
        });
        return found;
    }

    private void neverCarriedTraffic(String revision) {
        for (Write write : api.writes()) {
            if (write.resource().equals(ApiServerStandIn.KSVC.qualified())) {
                for (String field : List.of("spec", "status")) {
                    write.object().path(field).path("traffic").forEach(t -> assertFalse(
                            t.path("revisionName").asText().equals(revision) && t.path("percent").asInt() > 0,
                            revision + " got traffic in a " + write.verb() + ": " + write.object().path(field).path("traffic")));
                }
            }
        }
    }

    /** The candidate's placeholder Service was made cluster-local before any write put the new revision behind the tag. */
    private void labelledClusterLocalBeforeTheNewRevisionWasBehindTheTag(String revision) {
        int labelled = -1;
        int behindTag = -1;
        List<Write> writes = api.writes();
        for (int i = 0; i < writes.size(); i++) {
            Write w = writes.get(i);
            if (labelled < 0 && w.verb().equals("patch") && w.name().equals("candidate-greeting")
                    && "cluster-local".equals(w.object().path("metadata").path("labels").path(KnativeServingStandIn.VISIBILITY).asText())) {
                labelled = i;
            }
            if (behindTag < 0 && w.verb().equals("replace")) {
                for (JsonNode t : w.object().path("spec").path("traffic")) {
                    if (t.equals(target(revision, 0, "candidate"))) {
                        behindTag = i;
                    }
                }
            }
        }
        assertTrue(labelled >= 0 && behindTag > labelled, "labelled at write " + labelled + ", new revision tagged at " + behindTag);
    }

    private JsonNode service(String namespace) {
        ObjectNode service = api.get(ApiServerStandIn.KSVC, namespace, "greeting");
        assertNotEquals(null, service, "no Knative Service in " + namespace);
        return service;
    }

    private String holder(String namespace) {
        JsonNode lease = api.get(ApiServerStandIn.LEASE, namespace, "greeting-release");
        return lease == null || !lease.path("spec").has("holderIdentity") ? null : lease.path("spec").path("holderIdentity").asText();
    }

    private static JsonNode target(String revision, int percent, String tag) {
        ObjectNode target = JSON.createObjectNode().put("revisionName", revision).put("percent", percent);
        if (tag != null) {
            target.put("tag", tag);
        }
        return target;
    }

    private static JsonNode traffic(JsonNode... targets) {
        return JSON.valueToTree(List.of(targets));
    }

    private static Outcome succeeds(Outcome outcome) {
        assertTrue(outcome.succeeded(), outcome.output());
        return outcome;
    }

    // ---- states ------------------------------------------------------------------------------------

    private void load(String state) {
        try {
            YAMLMapper yaml = new YAMLMapper();
            try (var parser = yaml.getFactory().createParser(Path.of("src/test/resources/knative-states", state).toFile())) {
                for (JsonNode object : yaml.readValues(parser, JsonNode.class).readAll()) {
                    if (object == null || object.isNull() || object.isEmpty()) {
                        continue;
                    }
                    String kind = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
                    api.load(switch (kind) {
                        case "serving.knative.dev/v1/Service" -> ApiServerStandIn.KSVC;
                        case "serving.knative.dev/v1/Revision" -> ApiServerStandIn.REVISION;
                        case "v1/Service" -> ApiServerStandIn.SERVICE;
                        default -> throw new IllegalArgumentException(kind);
                    }, (ObjectNode) object);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One key of a ConfigMap of Knative Serving, as an operator or administrator set it. */
    private void knativeConfig(String name, String key, String value) {
        ObjectNode map = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "ConfigMap");
        map.putObject("metadata").put("name", name).put("namespace", "knative-serving");
        map.putObject("data").put(key, value);
        api.load(ApiServerStandIn.CONFIGMAP, map);
    }

    private void loadLease(String holder, Instant renewed, int seconds) {
        String time = renewed.toString().replaceFirst("(\\.\\d+)?Z$", ".000000Z");
        ObjectNode lease = JSON.createObjectNode().put("apiVersion", "coordination.k8s.io/v1").put("kind", "Lease");
        lease.putObject("metadata").put("name", "greeting-release").put("namespace", PROD);
        lease.putObject("spec").put("holderIdentity", holder).put("leaseDurationSeconds", seconds)
                .put("acquireTime", time).put("renewTime", time);
        api.load(ApiServerStandIn.LEASE, lease);
    }

}
