package dev.flinkstack.tests.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** An image tar as Jib's buildTar writes it (docker-archive): manifest, config and gzipped layers. */
public final class ImageTar {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One layer: its blob name and sizes (gzip blob, and the tar inside), and its files' sizes. */
    public record Layer(
            String blob, long compressedBytes, long uncompressedBytes, String comment, Map<String, Long> files) {

        public long uncompressedFileBytes() {
            return files.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final JsonNode config;
    private final List<Layer> layers;

    private ImageTar(JsonNode config, List<Layer> layers) {
        this.config = config;
        this.layers = layers;
    }

    /** The image tar Jib wrote for an image name (flink-jobmanager or flink-taskmanager). */
    public static Path builtBy(String imageName) {
        return Path.of(System.getProperty("image.tar.dir", "../images/target/jib"), imageName + ".tar");
    }

    public static ImageTar read(Path tar) {
        try {
            Map<String, byte[]> entries = entries(Files.newInputStream(tar));
            JsonNode manifest = JSON.readTree(entries.get("manifest.json")).get(0);
            JsonNode config = JSON.readTree(entries.get(manifest.path("Config").asText()));
            List<JsonNode> history = new ArrayList<>();
            config.path("history").forEach(step -> {
                if (!step.path("empty_layer").asBoolean()) {
                    history.add(step);
                }
            });
            List<Layer> layers = new ArrayList<>();
            int index = 0;
            for (JsonNode blobName : manifest.path("Layers")) {
                byte[] blob = entries.get(blobName.asText());
                byte[] layerTar;
                try (GZIPInputStream gunzip = new GZIPInputStream(new ByteArrayInputStream(blob))) {
                    layerTar = gunzip.readAllBytes();
                }
                Map<String, Long> files = new LinkedHashMap<>();
                entries(new ByteArrayInputStream(layerTar))
                        .forEach((name, content) -> files.put(name, (long) content.length));
                String comment = index < history.size() ? history.get(index).path("comment").asText() : "";
                layers.add(new Layer(blobName.asText(), blob.length, layerTar.length, comment, files));
                index++;
            }
            return new ImageTar(config, layers);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image tar " + tar, e);
        }
    }

    public JsonNode config() {
        return config;
    }

    public List<Layer> layers() {
        return layers;
    }

    public long compressedBytes() {
        return layers.stream().mapToLong(Layer::compressedBytes).sum();
    }

    public long uncompressedBytes() {
        return layers.stream().mapToLong(Layer::uncompressedBytes).sum();
    }

    /** The regular files of a tar stream (ustar: 512-byte headers, octal sizes), by path. */
    private static Map<String, byte[]> entries(InputStream input) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (input) {
            byte[] header = new byte[512];
            while (input.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = field(header, 0, 100).replaceFirst("^\\./", "");
                String prefix = field(header, 345, 155);
                long size = Long.parseLong(field(header, 124, 12).trim().isEmpty() ? "0" : field(header, 124, 12).trim(), 8);
                byte[] content = input.readNBytes((int) size);
                input.skipNBytes((512 - size % 512) % 512);
                char type = (char) header[156];
                if (type == '0' || type == '\0') {
                    entries.put(prefix.isEmpty() ? name : prefix + "/" + name, content);
                }
            }
        }
        return entries;
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
    }
}
