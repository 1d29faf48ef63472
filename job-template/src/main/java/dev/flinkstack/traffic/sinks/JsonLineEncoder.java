package dev.flinkstack.traffic.sinks;

import dev.flinkstack.traffic.records.JsonLine;

import org.apache.flink.api.common.serialization.Encoder;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writes each record as one UTF-8 JSON line. */
public class JsonLineEncoder<T extends JsonLine> implements Encoder<T> {

    private static final long serialVersionUID = 1L;

    @Override
    public void encode(T element, OutputStream stream) throws IOException {
        stream.write(element.toJson().getBytes(StandardCharsets.UTF_8));
        stream.write('\n');
    }
}
