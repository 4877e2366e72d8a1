package org.acme.greeting.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Sends exact bytes over a socket and reads the answer: for requests an HTTP client library
 * would refuse to build (raw invalid UTF-8, control characters, oversized lines and headers).
 */
public final class RawHttp {

    /** A response; header names are lower case. */
    public record Response(int status, Map<String, String> headers, String body) {
    }

    private RawHttp() {
    }

    /** A request with {@code Connection: close}, so the answer ends where the stream ends. */
    public static byte[] request(String method, String target, Map<String, String> headers, byte[] body) {
        return request(method, target.getBytes(StandardCharsets.ISO_8859_1), headers, body);
    }

    public static byte[] request(String method, byte[] target, Map<String, String> headers, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((method + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(target);
        StringBuilder head = new StringBuilder(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (body != null && !headers.containsKey("Transfer-Encoding")) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    public static Response send(int port, byte[] request) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException refusedEarly) {
                // The server may answer (413, 431) and close before it has read everything.
            }
            return parse(readAll(socket.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) != -1;) {
                received.write(buffer, 0, n);
            }
        } catch (IOException reset) {
            // A reset after the server closed a half-read request: keep what arrived.
            if (received.size() == 0) {
                throw reset;
            }
        }
        return received.toByteArray();
    }

    /**
     * What came back for bytes sent on one connection: each complete response in order, any bytes
     * after them that do not make one, and whether the server closed the connection (or only went
     * quiet for the given time, waiting for more).
     */
    public record Exchange(List<Response> responses, byte[] rest, boolean closed) {
    }

    /** Sends the bytes as they are (nothing added) and reads until the server closes or is quiet that long. */
    public static Exchange exchange(int port, byte[] request, Duration quiet) {
        return exchange(port, request, quiet, quiet);
    }

    /**
     * As {@link #exchange(int, byte[], Duration)}, waiting up to firstAnswer for the first byte of
     * an answer (a request that is complete gets one, however loaded the server), then quiet.
     */
    public static Exchange exchange(int port, byte[] request, Duration firstAnswer, Duration quiet) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout((int) firstAnswer.toMillis());
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
            } catch (IOException refusedEarly) {
                // The server may answer and close before it has read everything.
            }
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            boolean closed = false;
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = socket.getInputStream().read(buffer)) != -1;) {
                    received.write(buffer, 0, n);
                    socket.setSoTimeout((int) quiet.toMillis());
                }
                closed = true;
            } catch (SocketTimeoutException quietFor) {
                closed = false;
            } catch (IOException reset) {
                closed = true;
            }
            return split(received.toByteArray(), closed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Complete responses, each ended by its Content-Length (or, without one, by the close). */
    private static Exchange split(byte[] raw, boolean closed) {
        List<Response> responses = new ArrayList<>();
        int at = 0;
        while (at < raw.length) {
            String text = new String(raw, at, raw.length - at, StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            // A status line; Vert.x echoes the request's protocol token in it (FOO/1.1 400 Bad Request).
            if (end < 0 || !text.substring(0, end).split("\r\n")[0].matches("\\S+/\\d+\\.\\d+ [1-5]\\d\\d( .*)?")) {
                break;
            }
            Response head = parse(Arrays.copyOfRange(raw, at, at + end + 4));
            String length = head.headers().get("content-length");
            int bodyLength = length != null ? Integer.parseInt(length) : closed ? raw.length - at - end - 4 : -1;
            if (bodyLength < 0 || at + end + 4 + bodyLength > raw.length) {
                break;
            }
            byte[] body = Arrays.copyOfRange(raw, at + end + 4, at + end + 4 + bodyLength);
            responses.add(new Response(head.status(), head.headers(), new String(body, StandardCharsets.UTF_8)));
            at += end + 4 + bodyLength;
        }
        return new Exchange(responses, Arrays.copyOfRange(raw, at, raw.length), closed);
    }

    private static Response parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new IllegalStateException("no complete HTTP response: " + text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        byte[] body = Arrays.copyOfRange(raw, end + 4, raw.length);
        return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
    }
}
