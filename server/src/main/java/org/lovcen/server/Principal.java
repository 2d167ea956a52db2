package org.lovcen.server;

import org.lovcen.store.Directory;
import org.lovcen.store.Role;
import org.lovcen.store.Scope;

/** Who is asking: a signed-in user (API or session token) with the scope of their role. */
record Principal(Directory.User user, long tokenId, String tokenKind) {
  Scope scope() {
    return user.scope();
  }

  Role role() {
    return user.role();
  }

  boolean admin() {
    return user.role() == Role.ADMIN;
  }

  boolean national() {
    return user.role() == Role.ADMIN || user.role() == Role.NATIONAL_ANALYST;
  }
}
