package dev.flinkstack.tests.support.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The objects of one {@code helm template} output, parsed; lookups by kind and name. */
public final class Manifests {

    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** JSON pointer to the pod spec inside each workload kind. */
    public static final Map<String, String> POD_SPEC_POINTERS = Map.of(
            "Deployment", "/spec/template/spec",
            "StatefulSet", "/spec/template/spec",
            "Job", "/spec/template/spec",
            "CronJob", "/spec/jobTemplate/spec/template/spec",
            "Pod", "/spec");

    private final List<JsonNode> objects;

    private Manifests(List<JsonNode> objects) {
        this.objects = objects;
    }

    public static Manifests parse(String yaml) {
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && doc.isObject() && !doc.isEmpty()) {
                    objects.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("helm output is not YAML:\n" + yaml, e);
        }
        return new Manifests(List.copyOf(objects));
    }

    /** Some of the objects of a rendering, e.g. those that are not hooks. */
    public static Manifests of(List<JsonNode> objects) {
        return new Manifests(List.copyOf(objects));
    }

    public List<JsonNode> all() {
        return objects;
    }

    public List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    public Optional<JsonNode> find(String kind, String name) {
        return ofKind(kind).stream().filter(o -> name.equals(o.at("/metadata/name").asText())).findFirst();
    }

    /** The object of that kind and name; fails listing what was rendered if absent. */
    public JsonNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError(
                "no " + kind + " " + name + " rendered; rendered: " + names()));
    }

    /** "Kind/name" of every object. */
    public List<String> names() {
        return objects.stream()
                .map(o -> o.path("kind").asText() + "/" + o.at("/metadata/name").asText())
                .collect(Collectors.toList());
    }

    /** Every pod spec, keyed by "Kind/name". */
    public Map<String, JsonNode> podSpecs() {
        Map<String, JsonNode> specs = new java.util.LinkedHashMap<>();
        for (JsonNode o : objects) {
            String pointer = POD_SPEC_POINTERS.get(o.path("kind").asText());
            if (pointer != null) {
                specs.put(o.path("kind").asText() + "/" + o.at("/metadata/name").asText(), o.at(pointer));
            }
        }
        return specs;
    }

    /** The container of that name in the pod spec. */
    public static JsonNode container(JsonNode podSpec, String name) {
        for (JsonNode c : podSpec.path("containers")) {
            if (name.equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError("no container " + name + " in " + podSpec);
    }

    /** The value of environment variable {@code name} in the container, or null. */
    public static JsonNode env(JsonNode container, String name) {
        for (JsonNode e : container.path("env")) {
            if (name.equals(e.path("name").asText())) {
                return e;
            }
        }
        return null;
    }

    /** The {@code name} of each element of an array (containers, volumes, ports...). */
    public static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(element -> names.add(element.path("name").asText()));
        return names;
    }

    /** The container's arguments as strings. */
    public static List<String> args(JsonNode container) {
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        return args;
    }

    /** Parses a YAML or JSON text value (e.g. a ConfigMap entry). */
    public static JsonNode yaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
