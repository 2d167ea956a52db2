package org.lovcen.server.taxii;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import org.lovcen.store.TaxiiStore;

/**
 * Fuzz target for the body of a TAXII add-objects request: {@link TaxiiRequest#envelope} parses
 * the envelope, then every object goes through the checks an add makes before storing
 * ({@link TaxiiCollections#check}: STIX identity and version, TLP markings against the
 * collection, indicator patterns). A plain test run replays the seeds in
 * {@code TaxiiEnvelopeFuzzTestInputs/fuzzEnvelope}; the {@code fuzz} profile mutates from them
 * (docs/FUZZING.md). An envelope may be refused with a 400 or 422 TaxiiError, an object with an
 * IllegalArgumentException (its failure in the status resource); anything else escaping, or a
 * hang, is a finding.
 */
class TaxiiEnvelopeFuzzTest {
  private static final TaxiiStore.Collection COLLECTION =
      new TaxiiStore.Collection("c1", "Fuzz", "", null, 3, 2, true, true, 0);

  @FuzzTest(maxDuration = "60s")
  void fuzzEnvelope(byte[] input) {
    JsonNode envelope;
    try {
      envelope = TaxiiRequest.envelope(input);
    } catch (TaxiiError e) {
      if (e.status != 400 && e.status != 422) {
        throw new IllegalStateException("a malformed envelope answered " + e.status, e);
      }
      return;
    }
    for (JsonNode o : envelope.get("objects")) {
      try {
        TaxiiCollections.Checked c = TaxiiCollections.check(COLLECTION, o, "fuzz");
        if (!c.object().objectId().startsWith(c.object().type() + "--")) {
          throw new IllegalStateException("accepted id " + c.object().objectId() + " of type " + c.object().type());
        }
      } catch (IllegalArgumentException refused) {
        // one object's failure, reported in the status resource
      }
    }
  }
}
