package org.acme.greeting.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** The Knative Service that knative/overlays/&lt;environment&gt; renders, as the pipeline deploys it. */
public final class KnativeServiceOverlay {

    private KnativeServiceOverlay() {
    }

    public static JsonNode render(String environment) {
        try {
            return new YAMLMapper().readTree(Kustomize.build(Path.of("knative", "overlays", environment)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
