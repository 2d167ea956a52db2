package org.lovcen.intel;

import java.util.Locale;

/**
 * The Traffic Light Protocol marking of an indicator (TLP 2.0, with the TLP 1.0 STIX marking
 * definitions read as their 2.0 equivalents). Ordered from least to most restrictive; an
 * indicator known from several sources carries the most restrictive of their markings.
 */
public enum Marking {
  /** No TLP marking was given. Treated like TLP:CLEAR for sharing, but not labelled as such. */
  NONE(null, null),
  CLEAR("marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"),
  GREEN("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"),
  AMBER("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"),
  AMBER_STRICT("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", null),
  RED("marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed");

  private static final Marking[] VALUES = values();

  private final String stixId;
  private final String stix1Id;

  Marking(String stixId, String stix1Id) {
    this.stixId = stixId;
    this.stix1Id = stix1Id;
  }

  /** The STIX 2.1 marking-definition id of the TLP 2.0 level, or null for {@link #NONE}. */
  public String stixId() {
    return stixId;
  }

  /** {@code TLP:CLEAR}, {@code TLP:AMBER+STRICT}, ...; empty for {@link #NONE}. */
  public String label() {
    return this == NONE ? "" : "TLP:" + name().replace("AMBER_STRICT", "AMBER+STRICT");
  }

  /** The MISP tag, e.g. {@code tlp:amber+strict}; null for {@link #NONE}. */
  public String mispTag() {
    return this == NONE ? null : label().toLowerCase(Locale.ROOT);
  }

  /** The more restrictive of the two. */
  public Marking max(Marking other) {
    return other.ordinal() > ordinal() ? other : this;
  }

  /** The TLP level of a STIX marking-definition id (TLP 2.0 or 1.0), or null when it is no TLP marking. */
  public static Marking ofStixId(String id) {
    for (Marking m : VALUES) {
      if (m != NONE && (id.equals(m.stixId) || id.equals(m.stix1Id))) {
        return m;
      }
    }
    return null;
  }

  /**
   * The TLP level named by a label or tag ({@code TLP:AMBER}, {@code tlp:white}, {@code
   * tlp:amber+strict}, {@code amber}), case-insensitive, or null when it names none.
   */
  public static Marking ofLabel(String label) {
    String l = label.trim().toLowerCase(Locale.ROOT);
    if (l.startsWith("tlp:")) {
      l = l.substring(4);
    }
    return switch (l) {
      case "clear", "white" -> CLEAR;
      case "green" -> GREEN;
      case "amber" -> AMBER;
      case "amber+strict", "amber-strict" -> AMBER_STRICT;
      case "red" -> RED;
      default -> null;
    };
  }
}
