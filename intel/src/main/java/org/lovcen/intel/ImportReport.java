package org.lovcen.intel;

import java.util.List;
import org.lovcen.core.Problem;

/**
 * What one indicator file gave: how many indicators were loaded, which objects were valid but
 * use something Lovcen does not match (with the reason), and which were malformed. Immutable.
 *
 * @param file the file as given
 * @param format {@code stix}, {@code misp}, {@code misp-feed}, {@code csv} or {@code list}
 * @param loaded indicators taken in
 * @param skipped objects deliberately passed over (MISP attributes with to_ids false, STIX
 *     objects other than indicators, identities and markings)
 * @param unsupported valid objects not matched, with file, position and reason
 * @param errors malformed objects, with file, position and reason
 */
public record ImportReport(String file, String format, int loaded, int skipped, List<Problem> unsupported,
    List<Problem> errors) {
  public ImportReport {
    unsupported = List.copyOf(unsupported);
    errors = List.copyOf(errors);
  }
}
