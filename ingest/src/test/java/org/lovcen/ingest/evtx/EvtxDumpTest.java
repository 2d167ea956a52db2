package org.lovcen.ingest.evtx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.lovcen.core.Problem;

class EvtxDumpTest {
  @Test
  void dumpsOneJsonLinePerRecord() throws Exception {
    Path shared = Shared.dir();
    Assumptions.assumeTrue(shared != null, "shared regression material absent");
    Path file = Shared.evtxFiles(shared).get(0);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<Problem> problems = new ArrayList<>();
    long n = EvtxDump.dump(file, out, problems::add);
    String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
    assertThat(problems).isEmpty();
    assertThat(n).isPositive().isEqualTo(lines.length);
    assertThat(lines[0]).startsWith("{\"@record\":").contains("\"@timestamp\":\"").contains("\"EventID\":")
        .endsWith("}");
  }
}
