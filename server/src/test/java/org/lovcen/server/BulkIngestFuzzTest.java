package org.lovcen.server;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipException;
import org.lovcen.core.Event;
import org.lovcen.core.Problem;
import org.lovcen.store.EventJson;

/**
 * Fuzz target for the body of {@code POST /api/v1/ingest/events}: {@link IngestRoutes#readBulk}
 * undoes gzip layers under the size limit and reads JSON lines, arrays or objects; each event is
 * then rendered as the store keeps it ({@link EventJson}) and read back. The first byte picks the
 * Content-Encoding (none, gzip, identity, something else); the rest is the body. A plain test run
 * replays the seeds in {@code BulkIngestFuzzTestInputs/fuzzBulk}; the {@code fuzz} profile mutates
 * from them (docs/FUZZING.md). The refusals the endpoint turns into 413, 415 and 400 may escape;
 * anything else (a 500), an event of another institution, or a hang is a finding.
 */
class BulkIngestFuzzTest {
  private static final long LIMIT = 256 * 1024;
  private static final String[] ENCODINGS = {null, "gzip", "identity", "br"};

  @FuzzTest(maxDuration = "60s")
  void fuzzBulk(byte[] input) throws Exception {
    if (input.length == 0) {
      return;
    }
    String encoding = ENCODINGS[input[0] & 3];
    List<Event> events = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    try {
      IngestRoutes.readBulk(new ByteArrayInputStream(Arrays.copyOfRange(input, 1, input.length)), encoding, LIMIT,
          "mf", "web-01", events, problems);
    } catch (IngestRoutes.TooLarge | IngestRoutes.UnsupportedEncoding | ZipException | EOFException refused) {
      return;
    }
    for (Event e : events) {
      if (!"mf".equals(e.institution())) {
        throw new IllegalStateException("an event of institution " + e.institution() + " through mf's token");
      }
      Event back = new Event();
      EventJson.read(EventJson.write(e), back);
    }
  }
}
