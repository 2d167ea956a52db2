package org.lovcen.intel;

/**
 * The kinds of observable value Lovcen matches, with their STIX 2.1 object path and the MISP
 * attribute type they export to.
 */
public enum ObservableType {
  IPV4("ipv4-addr:value", "ip-dst"),
  IPV6("ipv6-addr:value", "ip-dst"),
  DOMAIN("domain-name:value", "domain"),
  URL("url:value", "url"),
  MD5("file:hashes.MD5", "md5"),
  SHA1("file:hashes.'SHA-1'", "sha1"),
  SHA256("file:hashes.'SHA-256'", "sha256"),
  SHA512("file:hashes.'SHA-512'", "sha512"),
  FILE_NAME("file:name", "filename");

  private final String stixPath;
  private final String mispType;

  ObservableType(String stixPath, String mispType) {
    this.stixPath = stixPath;
    this.mispType = mispType;
  }

  /** The STIX object path a pattern compares, e.g. {@code file:hashes.'SHA-256'}. */
  public String stixPath() {
    return stixPath;
  }

  /** The MISP attribute type written on export. */
  public String mispType() {
    return mispType;
  }

  /** The STIX cyber-observable type name: {@code ipv4-addr}, {@code file}, ... */
  public String stixObject() {
    return stixPath.substring(0, stixPath.indexOf(':'));
  }

  /** Whether this is a file hash. */
  public boolean isHash() {
    return this == MD5 || this == SHA1 || this == SHA256 || this == SHA512;
  }

  /** Whether this is an address (single or CIDR). */
  public boolean isAddress() {
    return this == IPV4 || this == IPV6;
  }

  /** The hash type of a hex digest of this many characters, or null. */
  static ObservableType hashOfLength(int hexChars) {
    return switch (hexChars) {
      case 32 -> MD5;
      case 40 -> SHA1;
      case 64 -> SHA256;
      case 128 -> SHA512;
      default -> null;
    };
  }
}
