package dev.flinkstack.traffic.functions;

import dev.flinkstack.traffic.records.FlowRecord;
import dev.flinkstack.traffic.records.MalformedRecord;

import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Tests for {@link ParseFlowRecords}, run in Flink's operator test harness. */
class ParseFlowRecordsTest {

    @Test
    void validLinesGoDownstreamAndBadLinesToTheSideOutput() throws Exception {
        try (OneInputStreamOperatorTestHarness<String, FlowRecord> harness =
                new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(new ParseFlowRecords()))) {
            harness.open();

            harness.processElement(new StreamRecord<>("1000,10.0.0.1,172.16.0.1,443,TCP,1200,3"));
            harness.processElement(new StreamRecord<>("garbage"));
            harness.processElement(new StreamRecord<>(
                    "{\"ts\":2000,\"src\":\"10.0.0.2\",\"dst\":\"172.16.0.1\",\"dstPort\":53,"
                            + "\"proto\":\"UDP\",\"bytes\":80,\"packets\":1}"));
            harness.processElement(new StreamRecord<>("3000,10.0.0.1,172.16.0.1,443,TCP,-1,3"));

            assertThat(harness.extractOutputValues())
                    .containsExactly(
                            new FlowRecord(1000, "10.0.0.1", "172.16.0.1", 443, "TCP", 1200, 3),
                            new FlowRecord(2000, "10.0.0.2", "172.16.0.1", 53, "UDP", 80, 1));
            assertThat(harness.getSideOutput(ParseFlowRecords.MALFORMED))
                    .extracting(StreamRecord::getValue)
                    .containsExactly(
                            new MalformedRecord(
                                    "expected 7 CSV fields (ts,src,dst,dstPort,proto,bytes,packets) but got 1",
                                    "garbage"),
                            new MalformedRecord("negative bytes: -1", "3000,10.0.0.1,172.16.0.1,443,TCP,-1,3"));
        }
    }
}
