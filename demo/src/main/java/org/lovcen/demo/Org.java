package org.lovcen.demo;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One fictional institution's Windows estate: domain, servers, workstations, people and
 * addresses. Built once per institution from the seed; the hosts' record counters are the only
 * mutable state. Not thread-safe.
 */
final class Org {
  /** Fictional state institutions, in the order they are generated. */
  static final String[][] INSTITUTIONS = {
      {"mf", "Ministry of Finance"},
      {"upc", "Tax and Customs Administration"},
      {"skup", "Parliament"},
      {"mju", "Ministry of Public Administration"},
      {"mup", "Ministry of Interior"},
      {"mzd", "Ministry of Health"},
      {"mek", "Ministry of Economic Development"},
      {"zzz", "Employment Agency"},
      {"fzo", "Health Insurance Fund"},
      {"mpa", "Ministry of Agriculture"},
      {"mvp", "Ministry of Foreign Affairs"},
      {"mps", "Ministry of Education"},
  };

  private static final String[] FIRST = {"Marko", "Milan", "Nikola", "Jovan", "Petar", "Stefan", "Luka",
      "Danilo", "Vuk", "Igor", "Dejan", "Zoran", "Boris", "Aleksandar", "Milos", "Vladimir", "Ivan", "Srdjan",
      "Jelena", "Milica", "Ana", "Ivana", "Marija", "Tijana", "Jovana", "Dragana", "Sanja", "Maja", "Vesna",
      "Biljana", "Natasa", "Tamara", "Katarina", "Andjela", "Snezana", "Gordana", "Nina", "Sonja"};
  private static final String[] LAST = {"Vukovic", "Popovic", "Radovic", "Djukanovic", "Vujosevic",
      "Markovic", "Ivanovic", "Bulatovic", "Kaludjerovic", "Radulovic", "Perovic", "Jovanovic", "Lakic",
      "Milic", "Nikolic", "Pejovic", "Scepanovic", "Vucinic", "Zecevic", "Bojovic", "Mijovic", "Rakocevic",
      "Kovacevic", "Dragovic", "Lazarevic", "Becirovic", "Hodzic", "Gjokaj", "Raickovic", "Knezevic",
      "Petrovic", "Vukcevic", "Boskovic", "Mugosa", "Kalezic", "Sekulic", "Otasevic", "Janjusevic"};

  /** A domain account. */
  record User(String sam, String sid, boolean admin) {}

  /** What a machine is for; drives which ordinary activity it shows. */
  enum Role { WORKSTATION, DC, FILE, APP, SQL, RDS, ADMIN }

  /** A Windows machine. */
  static final class Host {
    final int index;
    final String name;
    final String fqdn;
    final String ip;
    final Role role;
    final User user;
    final int guidPrefix;
    final int sysmonPid;
    final int lsassPid;
    final long[] records = new long[Channel.values().length];

    Host(int index, String name, String fqdn, String ip, Role role, User user, SplittableRandom r) {
      this.index = index;
      this.name = name;
      this.fqdn = fqdn;
      this.ip = ip;
      this.role = role;
      this.user = user;
      this.guidPrefix = r.nextInt();
      this.sysmonPid = 2000 + 4 * r.nextInt(500);
      this.lsassPid = 600 + 4 * r.nextInt(60);
      for (int i = 0; i < records.length; i++) {
        records[i] = 1000 + r.nextInt(900_000);
      }
    }

    /** The next EventRecordID of this host's channel. */
    long nextRecord(Channel ch) {
      return ++records[ch.ordinal()];
    }

    boolean server() {
      return role != Role.WORKSTATION;
    }
  }

  final int number;
  final String id;
  final String title;
  final String netbios;
  final String dns;
  final String domainSid;
  final int subnet;
  final List<Host> hosts = new ArrayList<>();
  final List<Host> workstations = new ArrayList<>();
  final List<Host> servers = new ArrayList<>();
  final List<User> users = new ArrayList<>();
  final List<User> admins = new ArrayList<>();
  final User svcBackup;
  final User svcSql;

  Org(int number, int hostCount, SplittableRandom r) {
    this.number = number;
    String[] inst = INSTITUTIONS[number % INSTITUTIONS.length];
    int round = number / INSTITUTIONS.length;
    this.id = round == 0 ? inst[0] : inst[0] + (round + 1);
    this.title = round == 0 ? inst[1] : inst[1] + " " + (round + 1);
    this.netbios = id.toUpperCase(Locale.ROOT);
    this.dns = id + ".gov.local";
    this.domainSid = "S-1-5-21-" + (1_000_000_000L + r.nextInt(1_000_000_000)) + "-"
        + (1_000_000_000L + r.nextInt(1_000_000_000)) + "-" + (1_000_000_000L + r.nextInt(1_000_000_000));
    this.subnet = 20 + number;
    int rid = 1105;
    Set<String> taken = new HashSet<>();
    int workstationCount = Math.max(4, hostCount - 7);
    for (int i = 0; i < workstationCount + 3; i++) {
      String sam;
      do {
        String f = FIRST[r.nextInt(FIRST.length)];
        String l = LAST[r.nextInt(LAST.length)];
        sam = (f.charAt(0) + l).toLowerCase(Locale.ROOT) + (taken.contains((f.charAt(0) + l).toLowerCase(Locale.ROOT))
            ? String.valueOf(2 + r.nextInt(8)) : "");
      } while (!taken.add(sam));
      users.add(new User(sam, domainSid + "-" + rid++, false));
    }
    for (int i = 0; i < 3; i++) {
      admins.add(new User("adm." + users.get(i).sam(), domainSid + "-" + rid++, true));
    }
    svcBackup = new User("svc_backup", domainSid + "-" + rid++, true);
    svcSql = new User("svc_sql", domainSid + "-" + rid++, false);
    addServer("DC01", Role.DC, 10, r);
    addServer("DC02", Role.DC, 11, r);
    addServer("FS01", Role.FILE, 20, r);
    addServer("APP01", Role.APP, 30, r);
    addServer("SQL01", Role.SQL, 40, r);
    addServer("RDS01", Role.RDS, 45, r);
    addServer("ADM01", Role.ADMIN, 60, r);
    Set<Integer> numbers = new HashSet<>();
    for (int i = 0; i < workstationCount; i++) {
      int n;
      do {
        n = 100 + r.nextInt(workstationCount < 800 ? 900 : 9000);
      } while (!numbers.add(n));
      String name = netbios + "-WS-" + (n < 1000 ? "0" + n : String.valueOf(n));
      String ip = "10." + subnet + "." + (16 + i / 250) + "." + (10 + i % 250);
      Host h = new Host(hosts.size(), name, name + "." + dns, ip, Role.WORKSTATION, users.get(i + 3), r);
      hosts.add(h);
      workstations.add(h);
    }
  }

  private void addServer(String suffix, Role role, int lastOctet, SplittableRandom r) {
    String name = netbios + "-" + suffix;
    Host h = new Host(hosts.size(), name, name + "." + dns, "10." + subnet + ".1." + lastOctet, role, null, r);
    hosts.add(h);
    servers.add(h);
  }

  Host server(Role role) {
    for (Host h : servers) {
      if (h.role == role) {
        return h;
      }
    }
    throw new IllegalStateException("no server with role " + role);
  }
}
