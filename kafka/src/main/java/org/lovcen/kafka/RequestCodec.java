package org.lovcen.kafka;

import java.util.ArrayList;
import java.util.List;
import org.lovcen.core.Level;
import org.lovcen.web.Request;
import org.lovcen.web.WebStream;

/**
 * An access-log request on the requests topic, on its way from evaluation to the website
 * detectors: the institution, the site as logged, the detectors' view of the request and the
 * Sigma rules it matched (exploit attempts); or a drain marker, which the web stage writes to its
 * own input when it has been idle, so that releasing the buffered requests is part of the input
 * (and replays the same way). Stateless, except the caller's writer.
 */
final class RequestCodec {
  private static final int REQUEST = 1;
  private static final int DRAIN = 2;
  private static final byte[] DRAIN_RECORD = {DRAIN};

  private RequestCodec() {}

  /** A decoded request record. */
  record Item(String institution, String site, Request request, List<WebStream.Exploit> exploits) {}

  static byte[] encode(Codec.Writer out, String institution, String site, Request r, List<WebStream.Exploit> exploits) {
    out.reset().u8(REQUEST).str(institution).str(site).varint(r.time()).str(r.ip()).varint(r.status())
        .varint(r.pathHash()).varint(r.agentHash()).varint(r.flags()).varint(r.upstreamMillis()).str(r.source())
        .varint(r.line()).varint(exploits.size());
    for (WebStream.Exploit x : exploits) {
      out.str(x.ruleId()).str(x.title()).str(x.level().label()).varint(x.tags().size());
      for (String t : x.tags()) {
        out.str(t);
      }
    }
    return out.toBytes();
  }

  /** The drain marker (a new array: the producer may keep it). */
  static byte[] drain() {
    return DRAIN_RECORD.clone();
  }

  static boolean isDrain(byte[] value) {
    return value.length == 1 && value[0] == DRAIN;
  }

  /** @throws KafkaRunnerException when the bytes are not a request record */
  static Item decode(byte[] value) {
    Codec.Reader in = new Codec.Reader(value);
    if (in.u8() != REQUEST) {
      throw new KafkaRunnerException("malformed request record: unknown type");
    }
    String institution = in.str();
    String site = in.str();
    Request r = new Request(in.varint(), site, in.str(), (int) in.varint(), (int) in.varint(), (int) in.varint(),
        (int) in.varint(), (int) in.varint(), in.str(), in.varint());
    int n = (int) in.varint();
    List<WebStream.Exploit> exploits = n == 0 ? List.of() : new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String id = in.str();
      String title = in.str();
      Level level = Level.parse(in.str());
      List<String> tags = new ArrayList<>();
      for (long t = in.varint(); t > 0; t--) {
        tags.add(in.str());
      }
      exploits.add(new WebStream.Exploit(id, title, level, List.copyOf(tags)));
    }
    return new Item(institution, site, r, exploits);
  }
}
