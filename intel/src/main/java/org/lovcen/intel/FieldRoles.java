package org.lovcen.intel;

import java.util.HashMap;
import java.util.Map;

/**
 * Which event fields the matcher reads, and as what. The names are those the readers produce:
 * Sysmon and Windows Security names as Sigma uses them, and the ECS names of Winlogbeat, Elastic
 * Agent and access logs. Documented in docs/INTEL.md; keep the two in step.
 */
final class FieldRoles {
  private FieldRoles() {}

  static final byte NONE = 0;
  /** An IPv4 or IPv6 address. */
  static final byte ADDRESS = 1;
  /** A domain or host name. */
  static final byte DOMAIN = 2;
  /** A URL (its host is also matched against domains and addresses). */
  static final byte URL = 3;
  /** A Sysmon hash list: {@code MD5=...,SHA256=...,IMPHASH=...}. */
  static final byte HASH_LIST = 4;
  /** One hash digest. */
  static final byte HASH = 5;
  /** A file path; its last component is matched against file names. */
  static final byte PATH = 6;
  /** A bare file name. */
  static final byte FILE_NAME = 7;

  static final Map<String, Byte> ROLES = roles();

  private static Map<String, Byte> roles() {
    Map<String, Byte> m = new HashMap<>();
    for (String f : new String[] {"SourceIp", "DestinationIp", "IpAddress", "ClientAddress", "ClientIP",
        "source.ip", "destination.ip", "client.ip", "server.ip", "source.address", "destination.address",
        "src_ip", "dst_ip", "RemoteAddress", "c-ip", "remote_addr"}) {
      m.put(f, ADDRESS);
    }
    for (String f : new String[] {"QueryName", "DestinationHostname", "SourceHostname", "dns.question.name",
        "destination.domain", "server.domain", "url.domain", "source.domain", "http.request.host", "cs-host"}) {
      m.put(f, DOMAIN);
    }
    for (String f : new String[] {"url.full", "url.original", "Url", "URL", "RequestUrl", "http.request.referrer",
        "cs-uri"}) {
      m.put(f, URL);
    }
    for (String f : new String[] {"Hashes", "Hash"}) {
      m.put(f, HASH_LIST);
    }
    for (String f : new String[] {"file.hash.md5", "file.hash.sha1", "file.hash.sha256", "file.hash.sha512",
        "process.hash.md5", "process.hash.sha1", "process.hash.sha256", "process.hash.sha512", "hash.md5",
        "hash.sha1", "hash.sha256", "hash.sha512", "dll.hash.md5", "dll.hash.sha1", "dll.hash.sha256", "MD5",
        "SHA1", "SHA256", "SHA512"}) {
      m.put(f, HASH);
    }
    for (String f : new String[] {"Image", "ParentImage", "TargetFilename", "ImageLoaded", "SourceImage",
        "TargetImage", "file.path", "process.executable", "process.parent.executable", "dll.path"}) {
      m.put(f, PATH);
    }
    for (String f : new String[] {"OriginalFileName", "file.name", "process.name", "dll.name"}) {
      m.put(f, FILE_NAME);
    }
    return Map.copyOf(m);
  }

  static byte of(String field) {
    Byte b = ROLES.get(field);
    return b == null ? NONE : b;
  }
}
