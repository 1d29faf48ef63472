package dev.flinkstack.tests.e2e;

import dev.flinkstack.buildtools.ImageTar;
import dev.flinkstack.tests.support.RepositoryCopy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** `make images IMAGE_PROFILES=fs-oss` adds that file system to opt/, in a layer of its own. */
class ImageProfilesIT {

    @Test
    void aFileSystemProfileAddsItsPluginInALayerOfItsOwn(@TempDir Path work) {
        ImageTar image = ImageTar.read(RepositoryCopy.into(work).buildJobManagerImage("-Pfs-oss"));

        assertThat(image.layers()).anyMatch(layer ->
                layer.files().keySet().equals(Set.of("opt/flink/opt/flink-oss-fs-hadoop-2.3.0.jar")));
    }
}
