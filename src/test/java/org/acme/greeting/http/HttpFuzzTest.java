package org.acme.greeting.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.acme.greeting.support.AppLog;
import org.acme.greeting.support.RawHttp;
import org.acme.greeting.support.RawHttp.Exchange;
import org.acme.greeting.support.RedisTestResource;
import org.junit.jupiter.api.Test;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * A mutational fuzzer over raw sockets on loopback: the contract's valid requests, mutated at
 * random (header lines dropped or doubled, bytes changed, inserted or dropped, the version, the
 * chunking or the length broken), each sent on its own connection to the running application.
 * <ul>
 * <li>No answer is a 5xx.</li>
 * <li>Every answer is well formed (a status line, headers, a body of its Content-Length) and
 * nothing is left over; a connection the server closes without any answer fails the run.</li>
 * <li>An HTTP/1.1 request with a clean head and not exactly one Host gets a 4xx (RFC 9112 section
 * 3.2).</li>
 * <li>Nothing is logged at WARN or ERROR: the input is the client's.</li>
 * <li>Valid greetings sent between them keep answering 200 with strictly increasing counts, and
 * the Redis counter grows by exactly the number of counted greetings.</li>
 * </ul>
 * Reproducible: the seed is printed (-Dhttpfuzz.seed=N runs the same requests again);
 * bounded by -Dhttpfuzz.seconds (15 here, 60 in the full suite) and
 * -Dhttpfuzz.requests. A failing input is written to target/http-fuzz-failures/; kept in
 * src/test/resources/http-fuzz/, it is replayed first on every run.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
class HttpFuzzTest {

    private static final Path REGRESSIONS = Path.of("src", "test", "resources", "http-fuzz");
    private static final Path FAILURES = Path.of("target", "http-fuzz-failures");
    /** How long a connection the server keeps open may stay quiet before its answer is taken as complete. */
    private static final Duration QUIET = Duration.ofMillis(500);
    /**
     * How long a request that is complete may wait for the first byte of its answer: every one
     * gets an answer, and a greeting answered after the read ended would be counted in Redis but
     * not here. A request that is not complete gets QUIET: the server rightly waits for the rest.
     */
    private static final Duration ANSWER = Duration.ofSeconds(10);
    private static final Pattern CLEAN_REQUEST_LINE = Pattern.compile("[A-Z]+ [!-~]+ HTTP/1\\.1");
    private static final Pattern CLEAN_HEADER = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+:[ \\t]*[ -~]*");
    private static final Pattern COUNT = Pattern.compile("\"count\":(\\d+)");
    private static final String COUNTER_KEY = "greeting:count";

    /** The contract's valid requests, each closing its connection after the answer. */
    private static final List<String> SEEDS = List.of(
            "GET /greeting HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
            "GET /greeting?name=Ada HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nConnection: close\r\n\r\n",
            "POST /greeting HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 16\r\n"
                    + "Connection: close\r\n\r\n{\"name\":\"Grace\"}",
            "POST /greeting HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                    + "Connection: close\r\n\r\n8\r\n{\"name\":\r\n7\r\n\"Alan\"}\r\n0\r\n\r\n",
            "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
            "GET /ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
            "GET /greeting?name=Linus HTTP/1.0\r\n\r\n");

    @Inject
    RedisDataSource redis;

    @TestHTTPResource("/")
    URL url;

    private final Map<String, Integer> answers = new TreeMap<>();
    private long counted;
    private long lastValidCount = -1;

    @Test
    void mutatedRequestsNeverGetA5xxSilenceOrALoggedErrorAndEveryGreetingCounts() throws IOException {
        long seed = Long.getLong("httpfuzz.seed", System.nanoTime());
        Duration budget = Duration.ofSeconds(Long.getLong("httpfuzz.seconds", 15));
        long maxRequests = Long.getLong("httpfuzz.requests", 1_000_000);
        System.out.printf("http fuzz: seed %d (rerun with -Dhttpfuzz.seed=%d), budget %d s%n", seed, seed, budget.toSeconds());
        Random random = new Random(seed);
        long before = counter();
        long mark = AppLog.mark();
        List<String> problems = new ArrayList<>();

        List<Path> regressions = regressions();
        for (Path file : regressions) {
            check(read(file), problems, "regression " + file.getFileName());
        }
        long deadline = System.nanoTime() + budget.toNanos();
        long sent = 0;
        while (System.nanoTime() < deadline && sent < maxRequests && problems.size() < 5) {
            byte[] request = mutate(SEEDS.get(random.nextInt(SEEDS.size())).getBytes(StandardCharsets.ISO_8859_1), random);
            check(request, problems, "seed " + seed + " #" + sent);
            sent++;
            if (sent % 20 == 0) {
                validGreeting(problems);
            }
        }
        validGreeting(problems);

        String log = AppLog.since(mark);
        Map<String, Integer> levels = new TreeMap<>();
        log.lines().map(AppLog::level).filter(l -> !l.isEmpty()).forEach(l -> levels.merge(l, 1, Integer::sum));
        System.out.printf("http fuzz: %d regression cases, %d mutated requests, answers by status %s, log lines by level %s,"
                + " %d greetings counted%n", regressions.size(), sent, answers, levels, counted);
        String errors = AppLog.errorsAndWarningsSince(mark);
        if (!errors.isEmpty()) {
            problems.add("the client's input was logged at WARN or ERROR:\n" + errors.lines().limit(5).reduce("", (a, b) -> a + b + "\n"));
        }
        assertEquals(List.of(), problems, "seed " + seed);
        assertEquals(before + counted, counter(), "the Redis counter grew by exactly the greetings counted");
        assertTrue(sent > 0, "sent nothing");
    }

    private void check(byte[] request, List<String> problems, String name) {
        boolean complete = complete(request);
        Exchange exchange = RawHttp.exchange(url.getPort(), request, complete ? ANSWER : QUIET, QUIET);
        String problem = problem(request, exchange);
        if (problem == null && complete && exchange.responses().isEmpty() && !exchange.closed()) {
            problem = "no answer within " + ANSWER.toSeconds() + " s to a request that is complete";
        }
        for (RawHttp.Response response : exchange.responses()) {
            answers.merge(String.valueOf(response.status()), 1, Integer::sum);
            Matcher count = COUNT.matcher(response.body());
            if (response.status() == 200 && count.find()) {
                counted++;
            }
        }
        if (exchange.responses().isEmpty()) {
            answers.merge(!exchange.closed() ? "waiting for more"
                    : codecRefusesTheTarget(request) ? "closed, no answer (target refused by the codec)" : "closed, no answer", 1,
                    Integer::sum);
        }
        if (problem != null) {
            Path kept = keep(request, name);
            problems.add(name + ": " + problem + " (input kept in " + kept + ")");
        }
    }

    /** What is wrong with the exchange, or null. */
    private static String problem(byte[] request, Exchange exchange) {
        for (RawHttp.Response response : exchange.responses()) {
            if (response.status() >= 500) {
                return "answered " + response.status() + ": " + response.body();
            }
        }
        if (exchange.rest().length > 0) {
            return "an answer that is not well-formed HTTP: " + new String(exchange.rest(), StandardCharsets.ISO_8859_1);
        }
        if (exchange.responses().isEmpty() && exchange.closed() && !codecRefusesTheTarget(request)) {
            return "the server closed the connection without an answer";
        }
        Integer hosts = hostHeadersOfACleanHttp11Head(request);
        if (hosts != null && hosts != 1 && !exchange.responses().isEmpty()) {
            int status = exchange.responses().get(0).status();
            if (status < 400 || status >= 500) {
                return "an HTTP/1.1 request with " + hosts + " Host headers answered " + status + " (RFC 9112 section 3.2: 400)";
            }
        }
        return null;
    }

    /**
     * Whether the request, as its head says, is all there: the head ended, and a chunked body
     * ended by its last chunk, or a body of at least its Content-Length.
     */
    private static boolean complete(byte[] request) {
        String text = new String(request, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String head = text.substring(0, end).toLowerCase(Locale.ROOT);
        if (head.contains("\r\ntransfer-encoding:")) {
            return chunkedBodyEnds(text, end + 4);
        }
        Matcher length = Pattern.compile("\r\ncontent-length: *(\\d+)").matcher(head);
        if (!length.find()) {
            return true;
        }
        return length.group(1).length() <= 9 && text.length() - end - 4 >= Long.parseLong(length.group(1));
    }

    /**
     * Whether a chunked body starting at {@code at} has ended as the codec under Vert.x reads it
     * (Netty 4.1.130's HttpObjectDecoder, READ_CHUNK_SIZE to READ_CHUNK_FOOTER), or whether the
     * codec refuses it, which it answers with a 400. A chunk-size line runs to its LF, a CR right
     * before the LF dropped; an LF with no CR before it is refused. The size is the hex digits after
     * leading whitespace, up to a ';' or an ASCII control or space (getChunkSize), so
     * {@code 7<CR>"Alan"} is a size of 7 whose data the codec still waits for. The data is followed
     * by exactly CRLF; after the size-0 chunk, the trailer ends at its first empty line.
     */
    private static boolean chunkedBodyEnds(String text, int at) {
        while (true) {
            int lf = text.indexOf('\n', at);
            if (lf < 0) {
                return false;
            }
            if (lf == at || text.charAt(lf - 1) != '\r') {
                return true;
            }
            int size = chunkSize(text.substring(at, lf - 1));
            at = lf + 1;
            if (size < 0) {
                return true;
            }
            if (size == 0) {
                return trailerEnds(text, at);
            }
            if (text.length() - at < (long) size + 2) {
                return false;
            }
            at += size;
            if (!text.startsWith("\r\n", at)) {
                return true;
            }
            at += 2;
        }
    }

    /** The chunk size the codec reads from a chunk-size line, or -1 when it refuses the line. */
    private static int chunkSize(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) < 0x80 && Character.isWhitespace(line.charAt(i))) {
            i++;
        }
        int size = 0;
        int digits = 0;
        for (; i < line.length(); i++, digits++) {
            char c = line.charAt(i);
            int digit = c < 0x80 ? Character.digit(c, 16) : -1;
            if (digit < 0) {
                return (c == ';' || c <= 0x20) && digits > 0 ? size : -1;
            }
            size = size * 16 + digit;
            if (size < 0) {
                return -1;
            }
        }
        return digits > 0 ? size : -1;
    }

    /** Whether the trailer starting at {@code at} has ended (an empty line) or is refused (an LF with no CR). */
    private static boolean trailerEnds(String text, int at) {
        while (true) {
            int lf = text.indexOf('\n', at);
            if (lf < 0) {
                return false;
            }
            if (lf == at || text.charAt(lf - 1) != '\r' || lf - 1 == at) {
                return true;
            }
            at = lf + 1;
        }
    }

    /**
     * Whether Vert.x's HTTP codec refuses the request line's target itself, before any of our code
     * runs: a character RFC 3986 does not allow there (seen refused: {@code " < > \\ ^ ` { } | [ ]},
     * DEL, any byte over 0x7F) or a {@code %} not followed by two hex digits. The codec answers an
     * empty 400 and closes; when the body that follows is also broken (an invalid chunk), it closes
     * while still reading and that 400 is never sent. A known limit (the tests' README): there is
     * no hook for that answer, and the service keeps serving, which the periodic greeting checks.
     */
    private static boolean codecRefusesTheTarget(byte[] request) {
        String text = new String(request, StandardCharsets.ISO_8859_1);
        int lineEnd = text.indexOf("\r\n");
        String[] line = (lineEnd < 0 ? text : text.substring(0, lineEnd)).split(" ", -1);
        if (line.length != 3) {
            return false;
        }
        String target = line[1];
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c < 0x21 || c >= 0x7f || "\"<>\\^`{}|[]".indexOf(c) >= 0) {
                return true;
            }
            if (c == '%' && !target.substring(i + 1, Math.min(target.length(), i + 3)).matches("[0-9A-Fa-f]{2}")) {
                return true;
            }
        }
        return false;
    }

    /** The number of Host header lines, when the head is a well-formed HTTP/1.1 one; else null. */
    private static Integer hostHeadersOfACleanHttp11Head(byte[] request) {
        String text = new String(request, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return null;
        }
        String[] lines = text.substring(0, end).split("\r\n", -1);
        if (!CLEAN_REQUEST_LINE.matcher(lines[0]).matches()) {
            return null;
        }
        int hosts = 0;
        for (int i = 1; i < lines.length; i++) {
            if (!CLEAN_HEADER.matcher(lines[i]).matches()) {
                return null;
            }
            hosts += lines[i].toLowerCase(Locale.ROOT).startsWith("host:") ? 1 : 0;
        }
        return hosts;
    }

    private void validGreeting(List<String> problems) {
        Exchange exchange = RawHttp.exchange(url.getPort(),
                "GET /greeting HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                Duration.ofSeconds(5));
        if (exchange.responses().size() != 1 || exchange.responses().get(0).status() != 200) {
            problems.add("a valid greeting got " + exchange);
            return;
        }
        Long count = new JsonObject(exchange.responses().get(0).body()).getLong("count");
        if (count == null || count <= lastValidCount) {
            problems.add("a valid greeting counted " + count + " after " + lastValidCount);
            return;
        }
        lastValidCount = count;
        counted++;
    }

    // ---- mutations ----------------------------------------------------------------------------

    private static byte[] mutate(byte[] seed, Random random) {
        byte[] request = seed;
        int mutations = 1 + random.nextInt(3);
        for (int i = 0; i < mutations; i++) {
            request = switch (random.nextInt(11)) {
                case 0 -> headerLines(request, random, false);
                case 1 -> headerLines(request, random, true);
                case 2 -> replaceByte(request, random);
                case 3 -> insertByte(request, random);
                case 4 -> deleteByte(request, random);
                case 5 -> replace(request, "HTTP/1.1", List.of("HTTP/1.0", "HTTP/2.0", "HTTP/1.2", "HTTP/9.9", "http/1.1"), random);
                case 6 -> replace(request, "\r\n8\r\n", List.of("\r\nzz\r\n", "\r\n-1\r\n", "\r\n80000000000\r\n", "\r\n8;x=\"\r\n"), random);
                case 7 -> replace(request, "Content-Length: 16", List.of("Content-Length: 15", "Content-Length: -1",
                        "Content-Length: 16\r\nContent-Length: 17", "Content-Length: 1e3", "Content-Length: 16\r\nTransfer-Encoding: chunked"), random);
                case 8 -> addHeader(request, random.nextBoolean() ? "Transfer-Encoding: " + pick(random, "gzip", "chunked", "chunked, gzip", "identity")
                        : "Host: " + pick(random, "?name=x", "a b", "\u00ffh", "[::1", "h:99999", "localhost"));
                case 9 -> addHeader(request, "X-" + random.nextInt(1000) + ": " + (char) (0x20 + random.nextInt(0x5f)));
                default -> Arrays.copyOf(request, random.nextInt(request.length + 1));
            };
        }
        return request;
    }

    /** Drops or doubles one header line (not the request line). */
    private static byte[] headerLines(byte[] request, Random random, boolean duplicate) {
        String text = new String(request, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return request;
        }
        List<String> lines = new ArrayList<>(Arrays.asList(text.substring(0, end).split("\r\n", -1)));
        if (lines.size() < 2) {
            return request;
        }
        int i = 1 + random.nextInt(lines.size() - 1);
        if (duplicate) {
            lines.add(i, lines.get(i));
        } else {
            lines.remove(i);
        }
        return (String.join("\r\n", lines) + text.substring(end)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] replaceByte(byte[] request, Random random) {
        if (request.length == 0) {
            return request;
        }
        byte[] copy = request.clone();
        copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
        return copy;
    }

    private static byte[] insertByte(byte[] request, Random random) {
        int at = random.nextInt(request.length + 1);
        byte[] copy = new byte[request.length + 1];
        System.arraycopy(request, 0, copy, 0, at);
        copy[at] = (byte) random.nextInt(256);
        System.arraycopy(request, at, copy, at + 1, request.length - at);
        return copy;
    }

    private static byte[] deleteByte(byte[] request, Random random) {
        if (request.length == 0) {
            return request;
        }
        int at = random.nextInt(request.length);
        byte[] copy = new byte[request.length - 1];
        System.arraycopy(request, 0, copy, 0, at);
        System.arraycopy(request, at + 1, copy, at, request.length - at - 1);
        return copy;
    }

    private static byte[] replace(byte[] request, String from, List<String> to, Random random) {
        String text = new String(request, StandardCharsets.ISO_8859_1);
        return text.replace(from, to.get(random.nextInt(to.size()))).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] addHeader(byte[] request, String header) {
        String text = new String(request, StandardCharsets.ISO_8859_1);
        int lineEnd = text.indexOf("\r\n");
        if (lineEnd < 0) {
            return request;
        }
        return (text.substring(0, lineEnd + 2) + header + "\r\n" + text.substring(lineEnd + 2)).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String pick(Random random, String... values) {
        return values[random.nextInt(values.length)];
    }

    // ---- inputs kept --------------------------------------------------------------------------

    private static List<Path> regressions() throws IOException {
        if (!Files.isDirectory(REGRESSIONS)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(REGRESSIONS)) {
            return files.filter(f -> f.toString().endsWith(".http")).sorted().toList();
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path keep(byte[] request, String name) {
        try {
            Files.createDirectories(FAILURES);
            Path file = FAILURES.resolve(name.replaceAll("[^A-Za-z0-9-]+", "-") + ".http");
            Files.write(file, request);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long counter() {
        Long value = redis.value(Long.class).get(COUNTER_KEY);
        return value == null ? 0 : value;
    }
}
