package org.acme.greeting.aotimage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;

/**
 * Pushes an image that is another image plus a JDK AOT cache trained inside it, and its SBOM.
 *
 * <p>
 * The new image is the original one, its layers reused as they are, plus one layer that puts
 * {@code app.aot} into the working directory (and, when given, the SBOM into its {@code sbom/}
 * folder), and {@code -XX:AOTCache=app.aot} in
 * {@code JAVA_TOOL_OPTIONS} (Quarkus adds its own AOT cache to a Jib image the same way). Entry
 * point, user, environment and labels stay the original's. The jars must stay byte for byte what
 * they were: the JVM accepts a cache only with the class path it was trained with, each jar's
 * path, size and modification time checked, and a rebuild of the application gives other
 * modification times (and, with Quarkus 3.34, not always the same bytes).
 *
 * <pre>
 * --from REF@DIGEST   the trained image, pinned by digest
 * --cache FILE        the AOT cache the JVM wrote
 * --to REF            where to push the image with the cache
 * [--sbom FILE]        the image's CycloneDX SBOM, put at sbom/greeting.cdx.json in the working directory
 * [--working-directory DIR]  the image's working directory (default /home/jboss)
 * [--digest-file FILE]       where to write the pushed digest (default target/aot-image.digest)
 * [--insecure]               allow a registry over plain HTTP (a test registry)
 * </pre>
 *
 * Registry credentials come from the docker config in {@code $DOCKER_CONFIG} ({@code config.json},
 * or {@code .dockerconfigjson} as a Secret of that type mounts it), else from {@code ~/.docker}.
 * No daemon and no privileges: Jib talks to the registries itself.
 */
public final class AotCacheImage {

    static final String CACHE_FILE = "app.aot";
    static final String JAVA_TOOL_OPTIONS = "-XX:AOTCache=" + CACHE_FILE;
    static final String SBOM_FILE = "sbom/greeting.cdx.json";

    private AotCacheImage() {
    }

    public static void main(String[] args) throws Exception {
        Arguments arguments = Arguments.parse(List.of(args));
        Path cache = arguments.cache();
        if (!Files.isRegularFile(cache) || Files.size(cache) == 0) {
            throw new IllegalArgumentException("no AOT cache at " + cache);
        }
        ImageReference from = ImageReference.parse(arguments.from());
        ImageReference to = ImageReference.parse(arguments.to());
        if (from.getDigest().isEmpty()) {
            throw new IllegalArgumentException("--from must name the image by digest (the image the cache was trained in): " + from);
        }

        AbsoluteUnixPath workingDirectory = AbsoluteUnixPath.get(arguments.workingDirectory());
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder()
                .setName("aot-cache")
                .addEntry(cache, workingDirectory.resolve(CACHE_FILE));
        if (arguments.sbom() != null) {
            if (!Files.isRegularFile(arguments.sbom())) {
                throw new IllegalArgumentException("no SBOM at " + arguments.sbom());
            }
            layer.addEntry(arguments.sbom(), workingDirectory.resolve(SBOM_FILE));
        }
        JibContainer pushed = Jib.from(registryImage(from))
                .addFileEntriesLayer(layer.build())
                .addEnvironmentVariable("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS)
                .containerize(Containerizer.to(registryImage(to))
                        .setAllowInsecureRegistries(arguments.insecure())
                        .setToolName("greeting-aot-cache-image"));

        String digest = pushed.getDigest().toString();
        Path digestFile = arguments.digestFile().toAbsolutePath();
        Files.createDirectories(digestFile.getParent());
        Files.writeString(digestFile, digest);
        System.out.printf("Pushed %s@%s = %s + %s (%d bytes)%s%n", to, digest, from, CACHE_FILE, Files.size(cache),
                arguments.sbom() == null ? "" : " + " + SBOM_FILE);
    }

    /** The image, with the credentials of the docker config for its registry. */
    private static RegistryImage registryImage(ImageReference reference) {
        String configured = System.getenv("DOCKER_CONFIG");
        Path folder = configured != null && !configured.isEmpty() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".docker");
        Path secretKey = folder.resolve(".dockerconfigjson");
        Path config = Files.exists(secretKey) ? secretKey : folder.resolve("config.json");
        return RegistryImage.named(reference).addCredentialRetriever(
                CredentialRetrieverFactory.forImage(reference, event -> {
                }).dockerConfig(config));
    }

    record Arguments(String from, Path cache, String to, Path sbom, String workingDirectory, Path digestFile, boolean insecure) {

        static final String USAGE = "usage: --from REF@DIGEST --cache FILE --to REF [--sbom FILE] [--working-directory DIR]"
                + " [--digest-file FILE] [--insecure]";

        static Arguments parse(List<String> args) {
            Deque<String> rest = new ArrayDeque<>(args);
            String from = null;
            String to = null;
            Path cache = null;
            Path sbom = null;
            String workingDirectory = "/home/jboss";
            Path digestFile = Path.of("target", "aot-image.digest");
            boolean insecure = false;
            while (!rest.isEmpty()) {
                String option = rest.pop();
                switch (option) {
                    case "--from" -> from = value(option, rest);
                    case "--to" -> to = value(option, rest);
                    case "--cache" -> cache = Path.of(value(option, rest));
                    case "--sbom" -> sbom = Path.of(value(option, rest));
                    case "--working-directory" -> workingDirectory = value(option, rest);
                    case "--digest-file" -> digestFile = Path.of(value(option, rest));
                    case "--insecure" -> insecure = true;
                    default -> throw new IllegalArgumentException("unknown argument " + option + "; " + USAGE);
                }
            }
            if (from == null || to == null || cache == null) {
                throw new IllegalArgumentException("--from, --cache and --to are required; " + USAGE);
            }
            return new Arguments(from, cache, to, sbom, workingDirectory, digestFile, insecure);
        }

        private static String value(String option, Deque<String> rest) {
            if (rest.isEmpty()) {
                throw new IllegalArgumentException(option + " needs a value; " + USAGE);
            }
            return rest.pop();
        }
    }
}
