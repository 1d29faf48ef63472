package dev.flinkstack.tests.support.chart;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.fabric8.certmanager.api.model.v1.Certificate;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.openshift.api.model.monitoring.v1.PodMonitor;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1RoleBinding;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Strict schema validation of rendered objects, kubeconform-style, with the official Kubernetes Java
 * client models (generated from the Kubernetes OpenAPI): {@code validateJsonElement} rejects unknown
 * and missing required fields at every level, and a Gson parse into the model rejects wrong types.
 * Custom resources (Prometheus Operator, cert-manager) are read into fabric8's typed models, where unknown fields end up in
 * {@code additionalProperties}, which must stay empty; those without a model (KEDA) are validated against the
 * schema of their vendored CRD (test resources {@code chart/crds/}), where undeclared fields are errors.
 */
public final class KubernetesSchema {

    private static final Map<String, Class<?>> KUBERNETES = Map.ofEntries(
            Map.entry("v1/ConfigMap", V1ConfigMap.class),
            Map.entry("v1/Service", V1Service.class),
            Map.entry("v1/ServiceAccount", V1ServiceAccount.class),
            Map.entry("v1/PersistentVolumeClaim", V1PersistentVolumeClaim.class),
            Map.entry("v1/Pod", V1Pod.class),
            Map.entry("apps/v1/Deployment", V1Deployment.class),
            Map.entry("apps/v1/StatefulSet", V1StatefulSet.class),
            Map.entry("batch/v1/Job", V1Job.class),
            Map.entry("batch/v1/CronJob", V1CronJob.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", V2HorizontalPodAutoscaler.class),
            Map.entry("policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/Ingress", V1Ingress.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", V1NetworkPolicy.class),
            Map.entry("rbac.authorization.k8s.io/v1/Role", V1Role.class),
            Map.entry("rbac.authorization.k8s.io/v1/RoleBinding", V1RoleBinding.class));

    /** Custom resources, read into fabric8's typed models. */
    private static final Map<String, Class<? extends KubernetesResource>> CUSTOM_RESOURCES = Map.of(
            "monitoring.coreos.com/v1/PodMonitor", PodMonitor.class,
            "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class,
            "monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class,
            "cert-manager.io/v1/Certificate", Certificate.class);

    /** Custom resources without a typed model: their CRD, vendored under test resources chart/crds/ (see its README). */
    private static final Map<String, String> CRDS = Map.of(
            "keda.sh/v1alpha1/ScaledObject", "/chart/crds/keda.sh_scaledobjects.yaml");
    private static final Map<String, JsonSchema> CRD_SCHEMAS = new ConcurrentHashMap<>();

    private static final ObjectMapper JSON_MAPPER = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private KubernetesSchema() {}

    /** The schema violations of one object; empty when it is valid. */
    public static List<String> violations(JsonNode object) {
        String type = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
        List<String> problems = new ArrayList<>();
        if (object.at("/metadata/name").asText().isEmpty()) {
            problems.add("metadata.name is missing");
        }
        Class<?> model = KUBERNETES.get(type);
        if (model != null) {
            validateKubernetes(model, object, problems);
        } else if (CUSTOM_RESOURCES.containsKey(type)) {
            validateCustomResource(CUSTOM_RESOURCES.get(type), object, problems);
        } else if (CRDS.containsKey(type)) {
            CRD_SCHEMAS.computeIfAbsent(type, KubernetesSchema::crdSchema).validate(object)
                    .forEach(message -> problems.add(message.getMessage()));
        } else {
            problems.add("no schema known for " + type);
        }
        return problems;
    }

    private static void validateKubernetes(Class<?> model, JsonNode object, List<String> problems) {
        String json = object.toString();
        JsonElement element = JsonParser.parseString(json);
        try {
            Method validate = model.getMethod("validateJsonElement", JsonElement.class);
            validate.invoke(null, element);
        } catch (InvocationTargetException e) {
            problems.add(model.getSimpleName() + ": " + e.getCause().getMessage());
            return;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        try {
            Object parsed = JSON.deserialize(json, model);
            if (parsed == null) {
                problems.add(model.getSimpleName() + ": parsed to null");
            }
        } catch (RuntimeException e) {
            problems.add(model.getSimpleName() + " (types): " + e.getMessage());
        }
    }

    /** The openAPIV3Schema of the vendored CRD's version that {@code type} names, rejecting undeclared fields. */
    private static JsonSchema crdSchema(String type) {
        String version = type.split("/")[1];
        JsonNode crd;
        try (InputStream in = KubernetesSchema.class.getResourceAsStream(CRDS.get(type))) {
            crd = Manifests.YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (JsonNode served : crd.at("/spec/versions")) {
            if (served.path("name").asText().equals(version)) {
                JsonNode schema = served.at("/schema/openAPIV3Schema").deepCopy();
                rejectUndeclaredFields(schema);
                return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schema);
            }
        }
        throw new IllegalStateException(CRDS.get(type) + " has no version " + version);
    }

    /** The API server prunes fields a structural schema does not declare; here they are errors instead. */
    private static void rejectUndeclaredFields(JsonNode schema) {
        if (!(schema instanceof ObjectNode node)) {
            return;
        }
        if (node.has("properties") && !node.has("additionalProperties")
                && !node.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
            node.put("additionalProperties", false);
        }
        node.path("properties").forEach(KubernetesSchema::rejectUndeclaredFields);
        rejectUndeclaredFields(node.path("items"));
        rejectUndeclaredFields(node.path("additionalProperties"));
    }

    /** The fields of a custom resource its typed model does not know, and type errors. */
    public static List<String> customResourceViolations(JsonNode object, Class<? extends KubernetesResource> model) {
        List<String> problems = new ArrayList<>();
        validateCustomResource(model, object, problems);
        return problems;
    }

    private static void validateCustomResource(
            Class<? extends KubernetesResource> model, JsonNode object, List<String> problems) {
        Object parsed;
        try {
            parsed = JSON_MAPPER.treeToValue(object, model);
        } catch (Exception e) {
            problems.add(model.getSimpleName() + " (types): " + e.getMessage());
            return;
        }
        collectUnknownFields(parsed, model.getSimpleName(), problems, new IdentityHashMap<>());
    }

    /** Walks fabric8 model objects and reports every non-empty additionalProperties map. */
    private static void collectUnknownFields(Object value, String path, List<String> problems,
                                             Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                collectUnknownFields(item, path + "[" + i++ + "]", problems, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collectUnknownFields(v, path + "." + k, problems, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object child;
            try {
                child = getter.invoke(value);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown fields " + Set.copyOf(extra.keySet()));
                }
            } else {
                String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
                collectUnknownFields(child, path + "." + field, problems, seen);
            }
        }
    }
}
