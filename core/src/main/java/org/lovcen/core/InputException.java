package org.lovcen.core;

/** Input that cannot be read: names the file, the position in it and the reason. */
public class InputException extends LovcenException {
  private final String file;
  private final String position;

  public InputException(String file, String position, String reason) {
    super(file + (position == null || position.isEmpty() ? "" : ":" + position) + ": " + reason);
    this.file = file;
    this.position = position;
  }

  public String file() {
    return file;
  }

  public String position() {
    return position;
  }
}
