package org.lovcen.store;

import java.util.Objects;

/**
 * Whose data a read may see. Every repository method that reads institution data takes one, and
 * turns it into a SQL condition; there is no query path without a scope.
 */
public sealed interface Scope {
  /** Every institution: the national CERT's analysts and administrators. */
  record National() implements Scope {}

  /** One institution's own data. */
  record OfInstitution(String institution) implements Scope {
    public OfInstitution {
      Objects.requireNonNull(institution, "institution");
    }
  }

  /** A partner CERT: only incidents (and their alerts) shared with it explicitly; never raw events. */
  record Partner(String partner) implements Scope {
    public Partner {
      Objects.requireNonNull(partner, "partner");
    }
  }

  Scope NATIONAL = new National();

  /** Whether rows of {@code institution} are visible without an explicit share. */
  default boolean sees(String institution) {
    return switch (this) {
      case National n -> true;
      case OfInstitution o -> o.institution().equals(institution);
      case Partner p -> false;
    };
  }
}
