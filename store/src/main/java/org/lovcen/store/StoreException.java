package org.lovcen.store;

import org.lovcen.core.LovcenException;

/** The store could not be opened, migrated or used. */
public class StoreException extends LovcenException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
