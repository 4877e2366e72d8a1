package org.acme.greeting.delivery;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * Pushes an image that is another image plus a JDK 25 AOT cache trained inside it: one more
 * layer holding {@code app.aot} in the working directory, and {@code -XX:AOTCache=app.aot} in
 * {@code JAVA_TOOL_OPTIONS}, which is how Quarkus adds its own AOT cache to a Jib image.
 * Everything else (entry point, user, environment, labels) is the original image's, and its
 * layers are reused as they are: the cache checks each jar's path, size and modification time,
 * so the jars must not be rebuilt (Quarkus 3.34 does not rebuild byte for byte).
 *
 * <pre>
 * ./mvnw -q exec:java@aot-cache-image -Dexec.args="--from REF@DIGEST --cache app.aot --to REF [--insecure]"
 * </pre>
 *
 * Registry credentials come from {@code $DOCKER_CONFIG} (or {@code ~/.docker}). The
 * new image's digest is printed and written to {@code --digest-file} (default
 * {@code target/aot-image.digest}). Run by the Tekton Task greeting-aot-image and by
 * src/test/container/aot-image.sh, against a real registry.
 */
public final class AotCacheImage {

    static final String CACHE_FILE = "app.aot";
    static final String JAVA_TOOL_OPTIONS = "-XX:AOTCache=" + CACHE_FILE;

    private AotCacheImage() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        if (!Files.isRegularFile(options.cache) || Files.size(options.cache) == 0) {
            throw new IllegalArgumentException("no AOT cache at " + options.cache);
        }
        ImageReference from = ImageReference.parse(options.from);
        ImageReference to = ImageReference.parse(options.to);
        FileEntriesLayer cacheLayer = FileEntriesLayer.builder()
                .setName("aot-cache")
                .addEntry(options.cache, AbsoluteUnixPath.get(options.workingDirectory).resolve(CACHE_FILE))
                .build();
        JibContainer pushed = Jib.from(withCredentials(RegistryImage.named(from), from))
                .addFileEntriesLayer(cacheLayer)
                .addEnvironmentVariable("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS)
                .containerize(Containerizer.to(withCredentials(RegistryImage.named(to), to))
                        .setAllowInsecureRegistries(options.insecure)
                        .setToolName("greeting-aot-cache-image"));
        String digest = pushed.getDigest().toString();
        Files.createDirectories(options.digestFile.toAbsolutePath().getParent());
        Files.writeString(options.digestFile, digest);
        System.out.println("Pushed " + to + "@" + digest + " = " + from + " + " + CACHE_FILE + " ("
                + Files.size(options.cache) + " bytes)");
    }

    /** The docker config in $DOCKER_CONFIG: config.json, or .dockerconfigjson as a Secret of that type mounts it. */
    private static RegistryImage withCredentials(RegistryImage image, ImageReference reference) {
        String dockerConfig = System.getenv("DOCKER_CONFIG");
        Path folder = dockerConfig != null ? Path.of(dockerConfig) : Path.of(System.getProperty("user.home"), ".docker");
        Path config = Files.exists(folder.resolve(".dockerconfigjson")) ? folder.resolve(".dockerconfigjson")
                : folder.resolve("config.json");
        return image.addCredentialRetriever(CredentialRetrieverFactory.forImage(reference, event -> {
        }).dockerConfig(config));
    }

    private record Options(String from, Path cache, String to, String workingDirectory, boolean insecure, Path digestFile) {

        static Options parse(String[] args) {
            String from = null;
            String to = null;
            Path cache = null;
            String workingDirectory = "/home/jboss";
            boolean insecure = false;
            Path digestFile = Path.of("target", "aot-image.digest");
            List<String> rest = new ArrayList<>(List.of(args));
            while (!rest.isEmpty()) {
                String option = rest.remove(0);
                switch (option) {
                    case "--insecure" -> insecure = true;
                    case "--from" -> from = value(option, rest);
                    case "--to" -> to = value(option, rest);
                    case "--cache" -> cache = Path.of(value(option, rest));
                    case "--working-directory" -> workingDirectory = value(option, rest);
                    case "--digest-file" -> digestFile = Path.of(value(option, rest));
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
            }
            if (from == null || to == null || cache == null) {
                throw new IllegalArgumentException("--from, --cache and --to are required");
            }
            return new Options(from, cache, to, workingDirectory, insecure, digestFile);
        }

        private static String value(String option, List<String> rest) {
            if (rest.isEmpty()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return rest.remove(0);
        }
    }
}
