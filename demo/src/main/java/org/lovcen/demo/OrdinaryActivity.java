package org.lovcen.demo;

import java.util.SplittableRandom;
import org.lovcen.demo.Org.Host;
import org.lovcen.demo.Org.Role;
import org.lovcen.demo.Org.User;
import org.lovcen.demo.Software.Proc;

/*
 * How and why: ordinary activity is drawn event by event, never stored. The caller decides the
 * time (diurnal) and whether the event happens on a server; this class picks the host and the
 * kind of event from fixed per-mille tables that follow what a Sysmon + audit-policy estate logs
 * in a working day: mostly image loads, network connections, DNS and process starts on
 * workstations; logons and Kerberos tickets on the domain controllers; share access on the file
 * server; a few service state changes and PowerShell script blocks. Everything an attack rule of
 * the project looks for is kept out of it on purpose (see rules/lovcen/EXPECTED.md), while
 * look-alikes that a careless rule would match are kept in: Word spawning splwow64, rundll32
 * from System32, encoded PowerShell from the management agent, OneDrive's own COM and Run-key
 * registrations, Defender's kernel driver service, Defender and WMI opening lsass, RDP from the
 * admin jump host, single mistyped passwords.
 */
/** Writes ordinary office activity for one institution. Not thread-safe. */
final class OrdinaryActivity {
  private static final String[] NET_IMAGES = {Software.CHROME, Software.EDGE, Software.TEAMS,
      Software.OFFICE + "OUTLOOK.EXE", Software.ONEDRIVE, Software.SVCHOST, Software.DEFENDER};
  private static final String[] BENIGN_SERVICES = {"Windows Update", "Background Intelligent Transfer Service",
      "Windows Modules Installer", "WinHTTP Web Proxy Auto-Discovery Service", "Microsoft Edge Update Service (edgeupdate)",
      "Windows Defender Antivirus Network Inspection Service", "Delivery Optimization", "Print Spooler",
      "Network Setup Service", "Device Setup Manager"};

  private final Org org;
  private final Events ev;
  private final SplittableRandom r;
  private final String[] accounts;
  private final Host dc;
  private final Host dc2;
  private final Host fs;
  private final Host adm;
  private final String lsass = Software.SYS32 + "lsass.exe";
  private int serviceInstalls;

  OrdinaryActivity(Org org, Events ev, SplittableRandom r) {
    this.org = org;
    this.ev = ev;
    this.r = r;
    this.accounts = new String[org.hosts.size()];
    for (Host h : org.hosts) {
      accounts[h.index] = h.user == null ? null : org.netbios + "\\" + h.user.sam();
    }
    dc = org.server(Role.DC);
    dc2 = org.servers.get(1);
    fs = org.server(Role.FILE);
    adm = org.server(Role.ADMIN);
  }

  /** Writes one event at {@code t} and returns its channel. */
  Channel next(long t, boolean onServer) {
    if (onServer) {
      return server(org.servers.get(r.nextInt(org.servers.size())), t);
    }
    return workstation(org.workstations.get(r.nextInt(org.workstations.size())), t);
  }

  private Channel workstation(Host h, long t) {
    int roll = r.nextInt(1000);
    if (roll < 150) {
      return process(h, t);
    } else if (roll < 320) {
      return network(h, t);
    } else if (roll < 520) {
      return imageLoad(h, t);
    } else if (roll < 670) {
      return dns(h, t);
    } else if (roll < 760) {
      return file(h, t);
    } else if (roll < 830) {
      return registry(h, t);
    } else if (roll < 850) {
      return access(h, t);
    } else if (roll < 852) {
      return driver(h, t);
    } else if (roll < 930) {
      return workstationSecurity(h, t);
    } else if (roll < 970) {
      return system(h, t);
    }
    return scriptBlock(h, t);
  }

  private Channel server(Host h, long t) {
    int roll = r.nextInt(1000);
    if (roll < 550) {
      return serverSecurity(h, t);
    } else if (roll < 650) {
      return systemProcess(h, t);
    } else if (roll < 800) {
      return network(h, t);
    } else if (roll < 900) {
      return imageLoad(h, t);
    } else if (roll < 950) {
      return access(h, t);
    }
    return system(h, t);
  }

  // ---------------------------------------------------------------- Sysmon

  private Channel process(Host h, long t) {
    if (r.nextInt(5) == 0) {
      return systemProcess(h, t);
    }
    Proc p = Software.WORKSTATION[r.nextInt(Software.WORKSTATION.length)];
    return ev.processCreate(h, t, p, accounts[h.index], h.user.sam(), doc(), pid(), r.nextLong(), pid(),
        r.nextLong(), "Medium", logonId(h));
  }

  private Channel systemProcess(Host h, long t) {
    Proc p = Software.SYSTEM[r.nextInt(Software.SYSTEM.length)];
    return ev.processCreate(h, t, p, "NT AUTHORITY\\SYSTEM", "SYSTEM", doc(), pid(), r.nextLong(), pid(),
        r.nextLong(), "System", "0x3e7");
  }

  private Channel network(Host h, long t) {
    String image = h.server() ? Software.SVCHOST : NET_IMAGES[r.nextInt(NET_IMAGES.length)];
    boolean system = image == Software.SVCHOST || image == Software.DEFENDER;
    String account = system ? "NT AUTHORITY\\SYSTEM" : accounts[h.index];
    String u = h.user == null ? "SYSTEM" : h.user.sam();
    int kind = r.nextInt(10);
    if (kind < 3 || h.server()) {
      Host target = kind == 0 ? fs : r.nextBoolean() ? dc : dc2;
      int port = target == fs ? 445 : kind % 2 == 0 ? 389 : 88;
      return ev.network(h, t, image, u, account, pid(), r.nextLong(), h.ip, 49152 + r.nextInt(16000), target.ip,
          target.fqdn, port, port == 445 ? "microsoft-ds" : port == 389 ? "ldap" : "kerberos");
    }
    String[] d = Software.DOMAINS[r.nextInt(Software.DOMAINS.length)];
    return ev.network(h, t, image, u, account, pid(), r.nextLong(), h.ip, 49152 + r.nextInt(16000), d[1], d[0],
        443, "https");
  }

  private Channel imageLoad(Host h, long t) {
    Proc p = h.server() || r.nextInt(4) == 0 ? Software.SYSTEM[r.nextInt(Software.SYSTEM.length)]
        : Software.WORKSTATION[r.nextInt(Software.WORKSTATION.length)];
    int li = r.nextInt(Software.LIBRARIES.length);
    String[] lib = Software.LIBRARIES[li];
    String account = p.system() || h.user == null ? "NT AUTHORITY\\SYSTEM" : accounts[h.index];
    String u = h.user == null ? "SYSTEM" : h.user.sam();
    return ev.imageLoad(h, t, p.image(), u, account, pid(), r.nextLong(), lib[0], lib[1], lib[2],
        Software.LIBRARY_HASHES[li], true, "Microsoft Windows");
  }

  private Channel dns(Host h, long t) {
    String image = NET_IMAGES[r.nextInt(NET_IMAGES.length - 2)];
    if (r.nextInt(5) == 0) {
      Host s = org.servers.get(r.nextInt(org.servers.size()));
      return ev.dns(h, t, image, h.user.sam(), accounts[h.index], pid(), r.nextLong(), s.fqdn, s.ip);
    }
    String[] d = Software.DOMAINS[r.nextInt(Software.DOMAINS.length)];
    return ev.dns(h, t, image, h.user.sam(), accounts[h.index], pid(), r.nextLong(), d[0], d[1]);
  }

  private Channel file(Host h, long t) {
    String u = h.user.sam();
    String a = accounts[h.index];
    return switch (r.nextInt(8)) {
      case 0 -> ev.fileCreate(h, t, Software.OFFICE + "OUTLOOK.EXE", u, a, pid(), r.nextLong(),
          "C:\\Users\\{u}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\Q3K1ZT7B\\{d}.pdf", doc());
      case 1 -> ev.fileCreate(h, t, Software.OFFICE + "WINWORD.EXE", u, a, pid(), r.nextLong(),
          "C:\\Users\\{u}\\AppData\\Roaming\\Microsoft\\Word\\~WRL0" + (100 + r.nextInt(900)) + ".tmp", null);
      case 2 -> ev.fileCreate(h, t, Software.OFFICE + "WINWORD.EXE", u, a, pid(), r.nextLong(),
          "C:\\Users\\{u}\\Documents\\~${d}.docx", doc());
      case 3 -> ev.fileCreate(h, t, Software.CHROME, u, a, pid(), r.nextLong(),
          "C:\\Users\\{u}\\Downloads\\{d}.pdf", doc());
      case 4 -> ev.fileCreate(h, t, Software.SVCHOST, u, "NT AUTHORITY\\SYSTEM", pid(), r.nextLong(),
          "C:\\Windows\\SoftwareDistribution\\Download\\b2c3d4e5f60718293a4b5c6d7e8f9012\\windows10.0-kb5016616-x64.cab",
          null);
      case 5 -> ev.fileCreate(h, t, Software.DEFENDER, u, "NT AUTHORITY\\SYSTEM", pid(), r.nextLong(),
          "C:\\ProgramData\\Microsoft\\Windows Defender\\Definition Updates\\{D5A2F1C3-7E4B-4A1D-9C3F-2B8E6A0D4F17}"
              + "\\mpavbase.vdm", null);
      case 6 -> ev.fileCreate(h, t, Software.EXPLORER, u, a, pid(), r.nextLong(),
          "C:\\Users\\{u}\\AppData\\Roaming\\Microsoft\\Windows\\Recent\\{d}.lnk", doc());
      default -> ev.fileCreate(h, t, Software.TEAMS, u, a, pid(), r.nextLong(),
          "C:\\Users\\{u}\\AppData\\Local\\Packages\\MSTeams_8wekyb3d8bbwe\\LocalCache\\Microsoft\\MSTeams\\Logs"
              + "\\MSTeams_diag.log", null);
    };
  }

  private Channel registry(Host h, long t) {
    String sid = h.user.sid();
    String sam = h.user.sam();
    String a = accounts[h.index];
    return switch (r.nextInt(6)) {
      case 0 -> ev.registrySet(h, t, Software.EXPLORER, sid, a, pid(), r.nextLong(),
          "HKU\\{u}\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\UserAssist\\"
              + "{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}\\Count\\HRZR_PGYFRFFVBA", "Binary Data");
      case 1 -> ev.registrySet(h, t, Software.OFFICE + "WINWORD.EXE", sid, a, pid(), r.nextLong(),
          "HKU\\{u}\\Software\\Microsoft\\Office\\16.0\\Word\\Reading Locations\\Document 0\\Position", "0 0");
      case 2 -> ev.registrySet(h, t, Software.DEFENDER, sid, "NT AUTHORITY\\SYSTEM", pid(), r.nextLong(),
          "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates\\SignaturesLastUpdated", "Binary Data");
      case 3 -> ev.registrySet(h, t, Software.SVCHOST, sid, "NT AUTHORITY\\SYSTEM", pid(), r.nextLong(),
          "HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\{u}\\\\Device\\HarddiskVolume3"
              + "\\Program Files\\Google\\Chrome\\Application\\chrome.exe", "Binary Data");
      case 4 -> ev.registrySet(h, t, "C:\\Users\\" + sam + "\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe",
          sid, a, pid(), r.nextLong(),
          "HKU\\{u}_Classes\\CLSID\\{CB3D0F55-BC2C-4C1A-85ED-23ED75B5106B}\\InprocServer32\\(Default)",
          "C:\\Users\\" + sam + "\\AppData\\Local\\Microsoft\\OneDrive\\22.151.0717.0001\\FileSyncShell64.dll");
      default -> ev.registrySet(h, t, "C:\\Users\\" + sam + "\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe",
          sid, a, pid(), r.nextLong(), "HKU\\{u}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\OneDrive",
          "\"C:\\Users\\" + sam + "\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe\" /background");
    };
  }

  private Channel access(Host h, long t) {
    String trace = "C:\\Windows\\SYSTEM32\\ntdll.dll+9d4c4|C:\\Windows\\System32\\KERNELBASE.dll+2c13e|"
        + "C:\\Windows\\System32\\KERNEL32.DLL+17034";
    return switch (r.nextInt(5)) {
      case 0 -> ev.processAccess(h, t, Software.DEFENDER, pid(), r.nextLong(), lsass, h.lsassPid, "0x1fffff",
          trace + "|C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2207.7-0\\mpengine.dll+1a4e2b",
          "NT AUTHORITY\\SYSTEM", "NT AUTHORITY\\SYSTEM");
      case 1 -> ev.processAccess(h, t, Software.SYS32 + "wbem\\WmiPrvSE.exe", pid(), r.nextLong(), lsass,
          h.lsassPid, "0x1410", trace + "|c:\\windows\\system32\\wbem\\cimwin32.dll+2a8c1", "NT AUTHORITY\\SYSTEM",
          "NT AUTHORITY\\SYSTEM");
      case 2 -> ev.processAccess(h, t, Software.SVCHOST, pid(), r.nextLong(), lsass, h.lsassPid, "0x1000",
          trace, "NT AUTHORITY\\SYSTEM", "NT AUTHORITY\\SYSTEM");
      case 3 -> ev.processAccess(h, t, Software.SYS32 + "csrss.exe", 500 + 4 * r.nextInt(40), r.nextLong(),
          Software.CHROME, pid(), "0x1fffff", trace, "NT AUTHORITY\\SYSTEM",
          h.user == null ? "NT AUTHORITY\\SYSTEM" : accounts[h.index]);
      default -> ev.processAccess(h, t, Software.EXPLORER, pid(), r.nextLong(), Software.OFFICE + "WINWORD.EXE",
          pid(), "0x1000", trace, h.user == null ? "NT AUTHORITY\\SYSTEM" : accounts[h.index],
          h.user == null ? "NT AUTHORITY\\SYSTEM" : accounts[h.index]);
    };
  }

  private Channel driver(Host h, long t) {
    int di = r.nextInt(Software.DRIVERS.length);
    String[] d = Software.DRIVERS[di];
    return ev.driverLoad(h, t, d[0], Software.DRIVER_HASHES[di], true, d[1], "Valid");
  }

  // ---------------------------------------------------------------- Security

  private Channel workstationSecurity(Host h, long t) {
    User u = h.user;
    long id = r.nextLong(0x100000L, 0xFFFFFFFFL);
    return switch (r.nextInt(20)) {
      case 0, 1, 2 -> ev.logon(h, t, u.sam(), u.sid(), org.netbios, r.nextInt(3) == 0 ? 2 : 7, "127.0.0.1", 0,
          h.name, id);
      case 3, 4, 5 -> ev.logon(h, t, "SYSTEM", "S-1-5-18", "NT AUTHORITY", 5, "-", -1, "-", 0x3e7);
      case 6, 7 -> ev.specialLogon(h, t, "SYSTEM", "S-1-5-18", 0x3e7);
      case 8, 9, 10 -> ev.logoff(h, t, u.sam(), u.sid(), 7, id);
      case 11 -> ev.explicitCredentials(h, t, h.name + "$", "S-1-5-18", u.sam(), "localhost",
          Software.SYS32 + "svchost.exe", 0x3e7);
      case 12 -> ev.failedLogon(h, t, u.sam(), org.netbios, 2, "127.0.0.1", 0, h.name, "0xc000006a");
      default -> {
        Proc p = Software.WORKSTATION[r.nextInt(Software.WORKSTATION.length)];
        yield ev.processCreate4688(h, t, u.sam(), u.sid(), id, pid(), p.image(), p.cmd(), p.parent(), u.sam(),
            doc(), "S-1-16-8192");
      }
    };
  }

  private Channel serverSecurity(Host h, long t) {
    Host ws = org.workstations.get(r.nextInt(org.workstations.size()));
    User u = ws.user;
    long id = r.nextLong(0x100000L, 0xFFFFFFFFL);
    int roll = r.nextInt(100);
    if (h.role == Role.DC && roll < 40) {
      return ev.kerberos(h, t, roll < 15, u.sam(), roll < 15 ? "krbtgt" : org.servers.get(2 + roll % 3).name + "$",
          ws.ip);
    }
    if (h.role == Role.FILE && roll < 30) {
      return ev.shareAccess(h, t, u.sam(), u.sid(), ws.ip, roll < 15 ? "\\\\*\\Finansije" : "\\\\*\\Zajednicko", id);
    }
    if (roll < 62) {
      return ev.logon(h, t, u.sam(), u.sid(), org.netbios, 3, ws.ip, 49152 + r.nextInt(16000), ws.name, id);
    }
    if (roll < 80) {
      return ev.logoff(h, t, u.sam(), u.sid(), 3, id);
    }
    if (roll < 88) {
      User admin = org.admins.get(r.nextInt(org.admins.size()));
      return ev.specialLogon(h, t, admin.sam(), admin.sid(), id);
    }
    if (roll < 92 && h.role != Role.ADMIN) {
      // IT staff work on servers over RDP from the admin jump host only.
      User admin = org.admins.get(r.nextInt(org.admins.size()));
      return ev.logon(h, t, admin.sam(), admin.sid(), org.netbios, 10, adm.ip, 49152 + r.nextInt(16000), adm.name,
          id);
    }
    if (roll < 93) {
      // A mistyped password: one failure, the user's own workstation.
      return ev.failedLogon(h, t, u.sam(), org.netbios, 3, ws.ip, 49152 + r.nextInt(16000), ws.name, "0xc000006a");
    }
    return ev.logon(h, t, h.name + "$", "S-1-5-18", org.netbios, 3, h.ip, 49152 + r.nextInt(16000), h.name, id);
  }

  // ---------------------------------------------------------------- System and PowerShell

  private Channel system(Host h, long t) {
    if (r.nextInt(3000) == 0 && serviceInstalls < org.hosts.size() / 4 + 1) {
      serviceInstalls++;
      return r.nextBoolean()
          ? ev.serviceInstalled(h, t, "MpKslDrv", "\\??\\C:\\ProgramData\\Microsoft\\Windows Defender\\Definition "
              + "Updates\\{D5A2F1C3-7E4B-4A1D-9C3F-2B8E6A0D4F17}\\MpKslDrv.sys", "kernel mode driver", "demand start",
              "", "S-1-5-18")
          : ev.serviceInstalled(h, t, "Microsoft Edge Update Service (edgeupdate)",
              "\"C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe\" /svc", "user mode service",
              "auto start", "LocalSystem", "S-1-5-18");
    }
    String name = BENIGN_SERVICES[r.nextInt(BENIGN_SERVICES.length)];
    return ev.serviceState(h, t, name, r.nextBoolean() ? "running" : "stopped",
        "770075006100750073006500720076002F0034000000");
  }

  private Channel scriptBlock(Host h, long t) {
    String text = Software.SCRIPT_BLOCKS[r.nextInt(Software.SCRIPT_BLOCKS.length)];
    return ev.scriptBlock(h, t, text, h.user.sam(), pid(), h.user.sid(), r.nextLong(), r.nextLong(),
        text.startsWith("$drive") ? "\\\\{dom}\\NETLOGON\\mapiranje.ps1" : "");
  }

  // ---------------------------------------------------------------- values

  private int pid() {
    return 1000 + 4 * r.nextInt(5000);
  }

  private String logonId(Host h) {
    return LOGON_IDS[h.index % LOGON_IDS.length];
  }

  private static final String[] LOGON_IDS = {"0x2b5e1", "0x3c1a7f", "0x1f7d2", "0x48a3e9", "0x6e12c", "0x9ab41",
      "0x2d0f33", "0x51c8e"};

  private String doc() {
    return Software.DOCUMENTS[r.nextInt(Software.DOCUMENTS.length)];
  }
}
