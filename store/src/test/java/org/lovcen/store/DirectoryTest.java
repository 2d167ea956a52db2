package org.lovcen.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lovcen.store.Rows.HOUR;
import static org.lovcen.store.Rows.T0;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Institutions, partners, users and tokens on both databases. */
class DirectoryTest {
  private static final String PASSWORD = "Lovćen-1878-Njegoš";

  @TempDir static Path dir;
  private static final TestDatabases.PerClass DBS = new TestDatabases.PerClass();
  private Database db;
  private Directory directory;

  private void open(String kind) {
    db = DBS.empty(kind, dir);
    directory = new Directory(db);
    directory.createInstitution("a", "Ministry A", 30, "10.0.0.0/8");
    directory.createInstitution("b", "Agency B", 90, null);
    directory.createPartner("p", "Partner CERT");
  }

  @AfterAll
  static void close() {
    DBS.close();
  }

  /** Every row of a table as text. */
  private List<String> rows(String table) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT * FROM " + table).mapToMap().list()).stream()
        .map(Map::toString).toList();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void createInstitution_storesAndListsInIdOrder(String kind) {
    open(kind);
    directory.createInstitution("gov-me_1", "Vlada", 7, "192.0.2.1, 198.51.100.0/24");
    assertThat(directory.institutions(Scope.NATIONAL)).containsExactly(
        new Directory.Institution("a", "Ministry A", 30, "10.0.0.0/8"), new Directory.Institution("b", "Agency B", 90, ""),
        new Directory.Institution("gov-me_1", "Vlada", 7, "192.0.2.1, 198.51.100.0/24"));
    assertThat(directory.institution(Scope.NATIONAL, "b")).contains(new Directory.Institution("b", "Agency B", 90, ""));
    assertThat(directory.institution(Scope.NATIONAL, "zz")).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void createInstitution_invalidId_isRejectedAndDuplicateFails(String kind) {
    open(kind);
    for (String bad : List.of("", "A", "a b", "-a", "_a", "a/b", "ž", "x".repeat(65))) {
      assertThatThrownBy(() -> directory.createInstitution(bad, "n", 30, null)).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad);
    }
    directory.createInstitution("x".repeat(64), "n", 30, null);
    assertThatThrownBy(() -> directory.createInstitution("a", "again", 30, null)).isInstanceOf(RuntimeException.class);
    assertThat(directory.institution(Scope.NATIONAL, "a").orElseThrow().name()).isEqualTo("Ministry A");
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void createPartner_listsPartners(String kind) {
    open(kind);
    directory.createPartner("cert-ee", "CERT-EE");
    assertThat(directory.partners()).containsExactly(new Directory.Partner("cert-ee", "CERT-EE"),
        new Directory.Partner("p", "Partner CERT"));
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void createUser_eachRole_keepsOnlyTheTenancyItNeedsAndScopesAccordingly(String kind) {
    open(kind);
    Directory.User admin = directory.createUser("admin", PASSWORD, Role.ADMIN, "a", "p");
    Directory.User national = directory.createUser("nat", PASSWORD, Role.NATIONAL_ANALYST, "a", null);
    Directory.User inst = directory.createUser("ana", PASSWORD, Role.INSTITUTION_ANALYST, "a", "p");
    Directory.User partner = directory.createUser("ext", PASSWORD, Role.PARTNER, "a", "p");
    assertThat(admin).isEqualTo(new Directory.User(admin.id(), "admin", Role.ADMIN, null, null, false));
    assertThat(national).isEqualTo(new Directory.User(national.id(), "nat", Role.NATIONAL_ANALYST, null, null, false));
    assertThat(inst).isEqualTo(new Directory.User(inst.id(), "ana", Role.INSTITUTION_ANALYST, "a", null, false));
    assertThat(partner).isEqualTo(new Directory.User(partner.id(), "ext", Role.PARTNER, null, "p", false));
    assertThat(List.of(admin.scope(), national.scope(), inst.scope(), partner.scope())).containsExactly(Scope.NATIONAL,
        Scope.NATIONAL, new Scope.OfInstitution("a"), new Scope.Partner("p"));
    assertThat(directory.user("ana")).contains(inst);
    assertThat(directory.user("nobody")).isEmpty();
    assertThat(directory.users(Scope.NATIONAL)).extracting(Directory.User::name).containsExactly("admin", "ana", "ext",
        "nat");
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void createUser_missingTenancyOrWeakPassword_isRejectedAndStoresNothing(String kind) {
    open(kind);
    assertThatThrownBy(() -> directory.createUser("u", PASSWORD, Role.INSTITUTION_ANALYST, null, "p"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("institution");
    assertThatThrownBy(() -> directory.createUser("u", PASSWORD, Role.PARTNER, "a", null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partner");
    assertThatThrownBy(() -> directory.createUser("u", "short", Role.ADMIN, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("12");
    assertThatThrownBy(() -> directory.createUser("u", "aaaaaaaaaaaaaaaa", Role.ADMIN, null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different");
    assertThatThrownBy(() -> directory.createUser("u", PASSWORD, Role.INSTITUTION_ANALYST, "no-such", null))
        .as("unknown institution").isInstanceOf(RuntimeException.class);
    assertThat(rows("users")).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void createUser_duplicateName_failsAndKeepsTheFirst(String kind) {
    open(kind);
    directory.createUser("ana", PASSWORD, Role.INSTITUTION_ANALYST, "a", null);
    assertThatThrownBy(() -> directory.createUser("ana", "another password!", Role.ADMIN, null, null))
        .isInstanceOf(RuntimeException.class);
    assertThat(directory.authenticate("ana", PASSWORD).orElseThrow().role()).isEqualTo(Role.INSTITUTION_ANALYST);
    assertThat(directory.authenticate("ana", "another password!")).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void createUser_storesAnArgon2idHashNotThePassword(String kind) {
    open(kind);
    directory.createUser("ana", PASSWORD, Role.INSTITUTION_ANALYST, "a", null);
    String hash = db.jdbi().withHandle(h -> h.createQuery("SELECT password_hash FROM users WHERE name = 'ana'")
        .mapTo(String.class).one());
    assertThat(hash).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(Passwords.verify(PASSWORD, hash)).isTrue();
    assertThat(rows("users").toString()).doesNotContain(PASSWORD).doesNotContain("Njegoš");
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void authenticate_rightWrongDisabledUnknown(String kind) {
    open(kind);
    Directory.User ana = directory.createUser("ana", PASSWORD, Role.INSTITUTION_ANALYST, "a", null);
    assertThat(directory.authenticate("ana", PASSWORD)).contains(ana);
    assertThat(directory.authenticate("ana", PASSWORD + " ")).isEmpty();
    assertThat(directory.authenticate("ana", PASSWORD.toUpperCase())).isEmpty();
    assertThat(directory.authenticate("ana", "")).isEmpty();
    assertThat(directory.authenticate("ANA", PASSWORD)).as("names are exact").isEmpty();
    assertThat(directory.authenticate("nobody", PASSWORD)).isEmpty();

    directory.setDisabled("ana", true);
    assertThat(directory.authenticate("ana", PASSWORD)).isEmpty();
    assertThat(directory.user("ana").orElseThrow().disabled()).isTrue();
    directory.setDisabled("ana", false);
    assertThat(directory.authenticate("ana", PASSWORD)).contains(ana);
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void issueToken_kindsResolveToWhatTheyGrant(String kind) {
    open(kind);
    Directory.User ana = directory.createUser("ana", PASSWORD, Role.INSTITUTION_ANALYST, "a", null);
    String ingest = directory.issueToken("ingest", "agent on dc-01", null, "a", null);
    String api = directory.issueToken("api", "script", ana.id(), null, T0 + HOUR);
    String session = directory.issueToken("session", null, ana.id(), null, T0 + HOUR);
    assertThat(ingest).startsWith("lvi_").hasSize(4 + 43);
    assertThat(api).startsWith("lva_");
    assertThat(session).startsWith("lvs_");

    Directory.TokenGrant g = directory.resolveToken(ingest, T0).orElseThrow();
    assertThat(List.of(g.kind(), g.institution())).containsExactly("ingest", "a");
    assertThat(g.user()).isNull();
    assertThat(g.expires()).isNull();
    Directory.TokenGrant a = directory.resolveToken(api, T0).orElseThrow();
    assertThat(a.kind()).isEqualTo("api");
    assertThat(a.user()).isEqualTo(ana);
    assertThat(a.expires()).isEqualTo(T0 + HOUR);
    assertThat(directory.resolveToken(session, T0).orElseThrow().user()).isEqualTo(ana);
    assertThat(directory.tokens(Scope.NATIONAL)).extracting(Directory.TokenInfo::name)
        .containsExactly("agent on dc-01", "script", "");
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void resolveToken_unknownExpiredRevokedOrDisabled_isEmpty(String kind) {
    open(kind);
    Directory.User ana = directory.createUser("ana", PASSWORD, Role.INSTITUTION_ANALYST, "a", null);
    String api = directory.issueToken("api", "script", ana.id(), null, T0 + HOUR);
    assertThat(directory.resolveToken(api, T0 + HOUR - 1)).isPresent();
    assertThat(directory.resolveToken(api, T0 + HOUR)).as("expires is exclusive").isEmpty();
    assertThat(directory.resolveToken(api + "x", T0)).isEmpty();
    assertThat(directory.resolveToken(api.substring(0, api.length() - 1), T0)).isEmpty();
    assertThat(directory.resolveToken("", T0)).isEmpty();

    directory.setDisabled("ana", true);
    assertThat(directory.resolveToken(api, T0)).as("disabled user").isEmpty();
    directory.setDisabled("ana", false);
    assertThat(directory.resolveToken(api, T0)).isPresent();

    long id = directory.resolveToken(api, T0).orElseThrow().id();
    assertThat(directory.revokeToken(id)).isTrue();
    assertThat(directory.resolveToken(api, T0)).as("revoked").isEmpty();
    assertThat(directory.tokens(Scope.NATIONAL).get(0).revoked()).isTrue();
    assertThat(directory.revokeToken(404)).isFalse();

    String userless = directory.issueToken("api", "no user", null, "a", null);
    assertThat(directory.resolveToken(userless, T0)).as("an API token needs a user").isEmpty();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void resolveKey_onlyItsOwnKind_neverAsAUserToken_untilRevoked(String kind) {
    open(kind);
    Directory.User ana = directory.createUser("ana", PASSWORD, Role.NATIONAL_ANALYST, null, null);
    String metrics = directory.issueToken("metrics", "prometheus", null, null, null);
    String bouncer = directory.issueToken("bouncer", "nginx", null, "a", null);
    String api = directory.issueToken("api", "script", ana.id(), null, null);
    assertThat(metrics).startsWith("lvm_").hasSize(4 + 43);
    assertThat(bouncer).startsWith("lvb_");

    assertThat(directory.resolveKey(metrics, "metrics", T0).orElseThrow().kind()).isEqualTo("metrics");
    assertThat(directory.resolveKey(metrics, "bouncer", T0)).as("one kind for another").isEmpty();
    assertThat(directory.resolveBouncer(metrics, T0)).isEmpty();
    assertThat(directory.resolveKey(bouncer, "metrics", T0)).isEmpty();
    assertThat(directory.resolveBouncer(bouncer, T0).orElseThrow().institution()).isEqualTo("a");
    assertThat(directory.resolveToken(metrics, T0)).as("grants no user's access").isEmpty();
    assertThat(directory.resolveKey(api, "api", T0)).as("a user's token is no key").isEmpty();
    assertThat(directory.resolveKey(metrics + "x", "metrics", T0)).isEmpty();

    long id = directory.resolveKey(metrics, "metrics", T0).orElseThrow().id();
    assertThat(directory.revokeToken(id)).isTrue();
    assertThat(directory.resolveKey(metrics, "metrics", T0)).as("revoked").isEmpty();
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void issueToken_storesOnlyItsSha256(String kind) {
    open(kind);
    String token = directory.issueToken("ingest", "agent", null, "a", null);
    String secret = token.substring(4);
    List<String> rows = rows("tokens");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0)).doesNotContain(token).doesNotContain(secret).doesNotContain(secret.substring(0, 16));
    String stored = db.jdbi().withHandle(h -> h.createQuery("SELECT token_hash FROM tokens").mapTo(String.class).one());
    assertThat(stored).isEqualTo(Tokens.hash(token)).matches("[0-9a-f]{64}");
    // SHA-256 of "abc" (FIPS 180-2): the hash is the standard one.
    assertThat(Tokens.hash("abc")).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void issueToken_tokensAreDistinct(String kind) {
    open(kind);
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 50; i++) {
      assertThat(seen.add(directory.issueToken("api", "t" + i, null, "a", null))).isTrue();
    }
  }

  @ParameterizedTest
  @MethodSource("org.lovcen.store.TestDatabases#kinds")
  void users_andTokens_ofAnInstitutionScope(String kind) {
    open(kind);
    directory.createUser("ana", PASSWORD, Role.INSTITUTION_ANALYST, "a", null);
    directory.createUser("bob", PASSWORD, Role.INSTITUTION_ANALYST, "b", null);
    directory.createUser("nat", PASSWORD, Role.NATIONAL_ANALYST, null, null);
    directory.issueToken("ingest", "a1", null, "a", null);
    directory.issueToken("ingest", "b1", null, "b", null);
    Scope a = new Scope.OfInstitution("a");
    assertThat(directory.users(a)).extracting(Directory.User::name).containsExactly("ana");
    assertThat(directory.tokens(a)).extracting(Directory.TokenInfo::name).containsExactly("a1");
    assertThat(directory.institutions(new Scope.Partner("p"))).isEmpty();
    assertThat(directory.institution(new Scope.Partner("p"), "a")).isEqualTo(Optional.empty());
  }
}
