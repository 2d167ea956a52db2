package org.lovcen.web;

/** The file extensions of static assets, compared without allocating. Stateless. */
final class StaticExtensions {
  private static final String[] EXT = {"css", "js", "png", "jpg", "jpeg", "gif", "svg", "ico", "webp", "woff",
      "woff2", "ttf", "eot", "map", "mp4", "webm", "avif"};

  private StaticExtensions() {}

  static boolean contains(String s, int from) {
    int n = s.length() - from;
    for (String x : EXT) {
      if (x.length() == n && s.regionMatches(true, from, x, 0, n)) {
        return true;
      }
    }
    return false;
  }
}
