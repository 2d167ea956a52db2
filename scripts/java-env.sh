# Sourced by ./lovcen and .ci/run: exports JAVA_HOME pointing at a JDK >= 21.
# Order: $JAVA_HOME if it is >= 21, else the newest JDK under /usr/lib/jvm that is >= 21.
_lovcen_java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1; }
_lovcen_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    v=$(_lovcen_java_major "$JAVA_HOME"); if [ "${v:-0}" -ge 21 ] 2>/dev/null; then echo "$JAVA_HOME"; return; fi
  fi
  best=""; bestv=0
  for d in /usr/lib/jvm/*; do
    [ -x "$d/bin/javac" ] || continue
    v=$(_lovcen_java_major "$d"); [ "${v:-0}" -gt "$bestv" ] 2>/dev/null && { best=$d; bestv=$v; }
  done
  [ "$bestv" -ge 21 ] && echo "$best"
}
_jdk=$(_lovcen_find_jdk || true)
if [ -z "$_jdk" ]; then
  echo "lovcen: no JDK >= 21 found (set JAVA_HOME or install one under /usr/lib/jvm)" >&2
  exit 3
fi
export JAVA_HOME="$_jdk"
export PATH="$JAVA_HOME/bin:$PATH"
