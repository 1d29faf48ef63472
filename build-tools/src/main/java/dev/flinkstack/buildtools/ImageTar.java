package dev.flinkstack.buildtools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/**
 * An image tar as Jib's buildTar writes it (docker-archive): manifest, config and gzipped layers.
 * {@code make images} prints each image's report with it, {@code make run} without a container
 * engine extracts the image's /opt/flink with it, and the tests and benchmarks read layers with it.
 *
 * <pre>
 * ImageTar report TAR...         sizes of each image and of its layers
 * ImageTar extract TAR DIR PATH  the files under PATH (e.g. opt/flink), with their modes, into DIR
 * </pre>
 */
public final class ImageTar {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One layer: its blob name and sizes (gzip blob, and the tar inside), and its files' sizes. */
    public record Layer(
            String blob, long compressedBytes, long uncompressedBytes, String comment, Map<String, Long> files) {

        public long uncompressedFileBytes() {
            return files.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private final String name;
    private final JsonNode config;
    private final List<Layer> layers;

    private ImageTar(String name, JsonNode config, List<Layer> layers) {
        this.name = name;
        this.config = config;
        this.layers = layers;
    }

    public static void main(String[] args) throws IOException {
        if (args.length >= 2 && args[0].equals("report")) {
            for (int i = 1; i < args.length; i++) {
                System.out.print(read(Path.of(args[i])).report());
            }
        } else if (args.length == 4 && args[0].equals("extract")) {
            extract(Path.of(args[1]), Path.of(args[2]), args[3]);
        } else {
            System.err.println("usage: ImageTar report TAR... | ImageTar extract TAR DIR PATH");
            System.exit(2);
        }
    }

    /** The image tar Jib wrote for an image name (flink-jobmanager or flink-taskmanager). */
    public static Path builtBy(String imageName) {
        return Path.of(System.getProperty("image.tar.dir", "../images/target/jib"), imageName + ".tar");
    }

    public static ImageTar read(Path tar) {
        try {
            Map<String, Entry> entries = entries(Files.newInputStream(tar));
            JsonNode manifest = JSON.readTree(entries.get("manifest.json").content()).get(0);
            JsonNode config = JSON.readTree(entries.get(manifest.path("Config").asText()).content());
            List<JsonNode> history = new ArrayList<>();
            config.path("history").forEach(step -> {
                if (!step.path("empty_layer").asBoolean()) {
                    history.add(step);
                }
            });
            List<Layer> layers = new ArrayList<>();
            int index = 0;
            for (JsonNode blobName : manifest.path("Layers")) {
                byte[] blob = entries.get(blobName.asText()).content();
                byte[] layerTar = gunzip(blob);
                Map<String, Long> files = new LinkedHashMap<>();
                entries(new ByteArrayInputStream(layerTar)).forEach((name, entry) -> {
                    if (entry.type() == Entry.FILE) {
                        files.put(name, (long) entry.content().length);
                    }
                });
                String comment = index < history.size() ? history.get(index).path("comment").asText() : "";
                layers.add(new Layer(blobName.asText(), blob.length, layerTar.length, comment, files));
                index++;
            }
            return new ImageTar(manifest.path("RepoTags").path(0).asText(tar.getFileName().toString()), config, layers);
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

    /** Sizes of the image and of each layer, with what each layer holds. */
    public String report() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%s: %s compressed, %s uncompressed%n", name, mebibytes(compressedBytes()).strip(),
                mebibytes(uncompressedBytes()).strip()));
        out.append(String.format("  %-19s  %12s  %12s  content%n", "layer", "compressed", "uncompressed"));
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            String content = i == 0 ? "base image" : layer.comment();
            if (content.equals("extra files") && layer.files().isEmpty()) {
                content += ": directories only";
            } else if (content.equals("extra files")) {
                // Name the directories this layer adds files to, e.g. opt/flink/usrlib.
                content += ": " + String.join(", ", layer.files().keySet().stream()
                        .map(path -> "/" + path.substring(0, Math.max(0, path.lastIndexOf('/'))))
                        .collect(Collectors.toCollection(TreeSet::new)));
            }
            String blob = layer.blob().substring(layer.blob().lastIndexOf('/') + 1);
            out.append(String.format("  %-19s  %12s  %12s  %s%n", blob.substring(0, Math.min(19, blob.length())),
                    mebibytes(layer.compressedBytes()), mebibytes(layer.uncompressedBytes()),
                    content.length() > 70 ? content.substring(0, 70) : content));
        }
        return out.toString();
    }

    private static String mebibytes(long bytes) {
        return String.format("%8.1f MiB", bytes / 1048576.0);
    }

    /**
     * Writes the files, directories and symbolic links under {@code path} of every layer into
     * {@code target}, in layer order (later layers win), keeping their permission bits.
     */
    public static void extract(Path tar, Path target, String path) throws IOException {
        Map<String, Entry> entries = entries(Files.newInputStream(tar));
        JsonNode manifest = JSON.readTree(entries.get("manifest.json").content()).get(0);
        String prefix = path.endsWith("/") ? path : path + "/";
        for (JsonNode blobName : manifest.path("Layers")) {
            Map<String, Entry> files = entries(new ByteArrayInputStream(gunzip(entries.get(blobName.asText()).content())));
            for (Map.Entry<String, Entry> file : files.entrySet()) {
                if (!(file.getKey() + "/").startsWith(prefix)) {
                    continue;
                }
                Path out = target.resolve(file.getKey()).normalize();
                if (!out.startsWith(target)) {
                    throw new IOException("entry outside the target directory: " + file.getKey());
                }
                Entry entry = file.getValue();
                Files.createDirectories(out.getParent());
                if (entry.type() == Entry.DIRECTORY) {
                    Files.createDirectories(out); // directories recur in later layers
                } else {
                    Files.deleteIfExists(out);
                    if (entry.type() == Entry.SYMLINK) {
                        Files.createSymbolicLink(out, Path.of(entry.linkTarget()));
                    } else {
                        Files.write(out, entry.content());
                    }
                }
                if (entry.type() != Entry.SYMLINK) {
                    Files.setPosixFilePermissions(out, permissions(entry.mode()));
                }
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ ... OTHERS_EXECUTE
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                permissions.add(bits[i]);
            }
        }
        return permissions;
    }

    private static byte[] gunzip(byte[] blob) throws IOException {
        try (GZIPInputStream gunzip = new GZIPInputStream(new ByteArrayInputStream(blob))) {
            return gunzip.readAllBytes();
        }
    }

    /** One tar entry: its type ({@code '0'} file, {@code '5'} directory, {@code '2'} symbolic link), mode and content. */
    private record Entry(char type, int mode, String linkTarget, byte[] content) {
        static final char FILE = '0';
        static final char DIRECTORY = '5';
        static final char SYMLINK = '2';
    }

    /**
     * The entries of a tar stream by path: ustar headers (512 bytes, octal numbers), with the long
     * names and link targets of PAX extended headers (type {@code 'x'}) applied to the next entry.
     */
    private static Map<String, Entry> entries(InputStream input) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        Map<String, String> pax = new HashMap<>();
        try (input) {
            byte[] header = new byte[512];
            while (input.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String prefix = field(header, 345, 155);
                String name = prefix.isEmpty() ? field(header, 0, 100) : prefix + "/" + field(header, 0, 100);
                long size = octal(field(header, 124, 12));
                byte[] content = input.readNBytes((int) size);
                input.skipNBytes((512 - size % 512) % 512);
                char type = header[156] == 0 ? Entry.FILE : (char) header[156];
                if (type == 'x') {
                    pax = paxRecords(content);
                    continue;
                }
                name = pax.getOrDefault("path", name).replaceFirst("^\\./", "").replaceFirst("/$", "");
                String linkTarget = pax.getOrDefault("linkpath", field(header, 157, 100));
                pax = new HashMap<>();
                if (!name.isEmpty() && (type == Entry.FILE || type == Entry.DIRECTORY || type == Entry.SYMLINK)) {
                    entries.put(name, new Entry(type, (int) octal(field(header, 100, 8)), linkTarget, content));
                }
            }
        }
        return entries;
    }

    /** PAX records: "LENGTH key=value\n" each. */
    private static Map<String, String> paxRecords(byte[] content) {
        Map<String, String> records = new HashMap<>();
        for (String record : new String(content, StandardCharsets.UTF_8).split("\n")) {
            int space = record.indexOf(' ');
            int equals = record.indexOf('=');
            if (space > 0 && equals > space) {
                records.put(record.substring(space + 1, equals), record.substring(equals + 1));
            }
        }
        return records;
    }

    private static long octal(String field) {
        String digits = field.trim();
        return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
    }
}
