package dev.flinkstack.tests.support;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-memory Kubernetes API server (fabric8's, with ConfigMap CRUD and watches) that appends every
 * request to a file as "TOKEN METHOD PATH", TOKEN being the caller's bearer token. Each Flink process
 * gets a kubeconfig with a token of its own, so the file says which process made which call, and
 * {@link #calls} turns it into the RBAC verbs each one needs.
 *
 * <p>{@code main(HOST, PORT, FILE)} runs it as a process of its own, in the network namespace of the
 * processes it serves.
 */
public final class KubernetesApiRecorder {

    /** A namespaced object path: /api/v1/namespaces/NS/RESOURCE[/NAME], or /apis/GROUP/VERSION/namespaces/... */
    private static final Pattern NAMESPACED = Pattern.compile(
            "^/(?:api/v1|apis/([^/]+)/[^/]+)/namespaces/[^/]+/([^/?]+)(?:/([^/?]+))?/?(?:\\?(.*))?$");

    /** One RBAC permission: API group ("" for the core group), resource and verb. */
    public record Call(String group, String resource, String verb) {}

    private KubernetesApiRecorder() {}

    public static void main(String[] args) throws Exception {
        Path log = Path.of(args[2]);
        Files.writeString(log, "");
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(List.of()) {
                    @Override
                    public MockResponse dispatch(RecordedRequest request) {
                        record(log, request);
                        return super.dispatch(request);
                    }
                }, false);
        server.init(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        Thread.currentThread().join();
    }

    private static synchronized void record(Path log, RecordedRequest request) {
        String authorization = request.getHeader("Authorization");
        String token = authorization == null ? "-" : authorization.replaceFirst("^Bearer ", "");
        try {
            Files.writeString(log, token + " " + request.getMethod() + " " + request.getPath() + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The permissions each token's requests needed, from a file {@link #main} wrote; discovery calls (/version, /api) need none. */
    public static Map<String, Set<Call>> calls(Path log) {
        Map<String, Set<Call>> calls = new HashMap<>();
        try {
            for (String line : Files.readAllLines(log)) {
                String[] parts = line.split(" ", 3);
                Matcher object = NAMESPACED.matcher(parts[2]);
                if (!object.matches()) {
                    continue;
                }
                String query = object.group(4) == null ? "" : URI.create("?" + object.group(4)).getQuery();
                String verb = switch (parts[1]) {
                    case "GET" -> object.group(3) != null ? "get" : query.contains("watch=true") ? "watch" : "list";
                    case "POST" -> "create";
                    case "PUT" -> "update";
                    case "PATCH" -> "patch";
                    case "DELETE" -> object.group(3) != null ? "delete" : "deletecollection";
                    default -> throw new IllegalArgumentException("unexpected method in " + line);
                };
                String group = object.group(1) == null ? "" : object.group(1);
                calls.computeIfAbsent(parts[0], token -> new LinkedHashSet<>()).add(new Call(group, object.group(2), verb));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return calls;
    }
}
