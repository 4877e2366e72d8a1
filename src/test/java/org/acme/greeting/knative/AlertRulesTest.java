package org.acme.greeting.knative;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import org.acme.greeting.support.AlertRules;
import org.acme.greeting.support.Tool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The alert rules of knative/observability through Prometheus' own promtool (Debian's prometheus
 * 2.42): they load, and each alert fires in its unit test's bad case and stays quiet in its
 * good ones (src/test/prometheus/greeting-alerts-test.yaml).
 */
@Tag("tools")
class AlertRulesTest {

    private static final Path DIR = Path.of("target", "alert-rules");
    private static final Path UNIT_TESTS = Path.of("src", "test", "prometheus", "greeting-alerts-test.yaml");

    @BeforeAll
    static void writeRuleFile() throws IOException {
        AlertRules.writeRuleFile(DIR.resolve("rules.yaml"));
        // promtool reads rule_files relative to the test file.
        Files.copy(UNIT_TESTS, DIR.resolve(UNIT_TESTS.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void theRulesLoad() throws IOException {
        String output = Tool.succeed(DIR, List.of("promtool", "check", "rules", "rules.yaml"));
        assertTrue(output.contains("SUCCESS: " + AlertRules.rules().size() + " rules found"), output);
    }

    @Test
    void everyAlertFiresWhenItShouldAndOnlyThen() throws IOException {
        String output = Tool.succeed(DIR, List.of("promtool", "test", "rules", UNIT_TESTS.getFileName().toString()));
        assertTrue(output.contains("SUCCESS"), output);
    }

    /** An alert without a unit test could be broken without a test failing. */
    @Test
    void everyAlertHasAUnitTest() throws IOException {
        String tests = Files.readString(UNIT_TESTS);
        List<String> untested = AlertRules.rules().stream().map(AlertRules.Rule::name)
                .filter(name -> !tests.contains("alertname: " + name)).toList();
        assertEquals(List.of(), untested, "alerts with no promtool test");
    }
}
