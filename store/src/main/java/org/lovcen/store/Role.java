package org.lovcen.store;

import java.util.Locale;

/** What a user may do and see. */
public enum Role {
  /** Manages institutions, users and tokens; sees every institution. */
  ADMIN,
  /** The national CERT's analyst: every institution. */
  NATIONAL_ANALYST,
  /** An institution's own analyst: that institution only. */
  INSTITUTION_ANALYST,
  /** A partner CERT: only what is shared with it, read only. */
  PARTNER;

  /** The scope of a user with this role. */
  public Scope scope(String institution, String partner) {
    return switch (this) {
      case ADMIN, NATIONAL_ANALYST -> Scope.NATIONAL;
      case INSTITUTION_ANALYST -> new Scope.OfInstitution(institution);
      case PARTNER -> new Scope.Partner(partner);
    };
  }

  /** The lower-case name used in the API and configuration. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Role of(String id) {
    try {
      return valueOf(id.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown role '" + id + "' (admin, national_analyst, institution_analyst, partner)");
    }
  }
}
