package org.lovcen.core;

/**
 * Something in the input that was skipped or could not be used, with where it was.
 *
 * @param file the input's path as given (or an upload or listener name)
 * @param position line, byte offset, chunk/record or rule path inside the file; may be empty
 * @param reason what was wrong, naming the offending value where there is one
 */
public record Problem(String file, String position, String reason) {
  @Override
  public String toString() {
    return file + (position == null || position.isEmpty() ? "" : ":" + position) + ": " + reason;
  }
}
