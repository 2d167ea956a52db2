package org.lovcen.demo;

import org.lovcen.demo.Org.Host;
import org.lovcen.demo.Software.Proc;

/**
 * The event shapes of Sysmon, Security, System and PowerShell, written with the field names and
 * order Windows uses. Each method writes one complete event into {@link #w} and returns its
 * channel; ordinary activity and the attack chain share them, so both look alike. Not
 * thread-safe.
 */
final class Events {
  final JsonLineWriter w = new JsonLineWriter();
  private Org org;

  void org(Org org) {
    this.org = org;
  }

  /** A process GUID's upper half for a host: the host prefix and a start-time-like middle. */
  static long guidHi(Host h, long t) {
    return ((long) h.guidPrefix << 32) | ((t / 1_000_000L) & 0xFFFFFFFFL);
  }

  String account(String sam) {
    return org.netbios + "\\" + sam;
  }

  private void sysmon(Host h, int id, long t) {
    w.open(Channel.SYSMON, id, t, h.fqdn, h.nextRecord(Channel.SYSMON), h.sysmonPid, h.sysmonPid + 372, "S-1-5-18");
    w.s("RuleName", "-");
    if (id != 22 && id != 6 && id != 13) {
      w.utc("UtcTime", t - 3000);
    }
  }

  private void security(Host h, int id, long t) {
    w.open(Channel.SECURITY, id, t, h.fqdn, h.nextRecord(Channel.SECURITY), h.lsassPid, h.lsassPid + 48, null);
  }

  Channel processCreate(Host h, long t, Proc p, String account, String u, String d, int pid, long guid,
      int ppid, long pguid, String integrity, String logonId) {
    sysmon(h, 1, t);
    boolean sys = p.system() || account.startsWith("NT AUTHORITY\\");
    w.guid("ProcessGuid", guidHi(h, t), guid);
    w.n("ProcessId", pid);
    w.t("Image", p.image(), u, d, org.dns);
    w.s("FileVersion", p.company().startsWith("Microsoft") ? "10.0.19041.1806 (WinBuild.160101.0800)" : "-");
    w.s("Description", p.description());
    w.s("Product", p.product());
    w.s("Company", p.company());
    w.s("OriginalFileName", p.original());
    w.t("CommandLine", p.cmd(), u, d, org.dns);
    w.t("CurrentDirectory", sys ? "C:\\Windows\\system32\\" : "C:\\Users\\{u}\\", u, d, org.dns);
    w.s("User", account);
    w.guid("LogonGuid", guidHi(h, t - 3_600_000_000L), 0x00000000_00000000L | (logonId.hashCode() & 0xFFFFFFFFL));
    w.s("LogonId", logonId);
    w.n("TerminalSessionId", sys ? 0 : 1);
    w.s("IntegrityLevel", integrity);
    w.s("Hashes", p.hashes());
    w.guid("ParentProcessGuid", guidHi(h, t - 60_000_000L), pguid);
    w.n("ParentProcessId", ppid);
    w.t("ParentImage", p.parent(), u, d, org.dns);
    w.t("ParentCommandLine", p.parentCmd(), u, d, org.dns);
    w.s("ParentUser", p.parent().endsWith("services.exe") || p.parent().endsWith("svchost.exe")
        ? "NT AUTHORITY\\SYSTEM" : account);
    w.close();
    return Channel.SYSMON;
  }

  Channel network(Host h, long t, String image, String u, String account, int pid, long guid, String srcIp,
      int srcPort, String dstIp, String dstHost, int dstPort, String portName) {
    sysmon(h, 3, t);
    w.guid("ProcessGuid", guidHi(h, t - 30_000_000L), guid);
    w.n("ProcessId", pid);
    w.t("Image", image, u, null, org.dns);
    w.s("User", account);
    w.s("Protocol", "tcp");
    w.b("Initiated", true);
    w.b("SourceIsIpv6", false);
    w.s("SourceIp", srcIp);
    w.s("SourceHostname", h.fqdn);
    w.n("SourcePort", srcPort);
    w.s("SourcePortName", "-");
    w.b("DestinationIsIpv6", false);
    w.s("DestinationIp", dstIp);
    w.s("DestinationHostname", dstHost);
    w.n("DestinationPort", dstPort);
    w.s("DestinationPortName", portName);
    w.close();
    return Channel.SYSMON;
  }

  Channel imageLoad(Host h, long t, String image, String u, String account, int pid, long guid, String loaded,
      String description, String original, String hashes, boolean signed, String signature) {
    sysmon(h, 7, t);
    w.guid("ProcessGuid", guidHi(h, t - 5_000_000L), guid);
    w.n("ProcessId", pid);
    w.t("Image", image, u, null, org.dns);
    w.t("ImageLoaded", loaded, u, null, org.dns);
    w.s("FileVersion", signed ? "10.0.19041.1806 (WinBuild.160101.0800)" : "-");
    w.s("Description", description);
    w.s("Product", signed ? "Microsoft® Windows® Operating System" : "-");
    w.s("Company", signed ? "Microsoft Corporation" : "-");
    w.s("OriginalFileName", original);
    w.s("Hashes", hashes);
    w.b("Signed", signed);
    w.s("Signature", signature);
    w.s("SignatureStatus", signed ? "Valid" : "Unavailable");
    w.s("User", account);
    w.close();
    return Channel.SYSMON;
  }

  Channel processAccess(Host h, long t, String source, int sourcePid, long sourceGuid, String target,
      int targetPid, String access, String callTrace, String sourceUser, String targetUser) {
    sysmon(h, 10, t);
    w.guid("SourceProcessGUID", guidHi(h, t - 20_000_000L), sourceGuid);
    w.n("SourceProcessId", sourcePid);
    w.n("SourceThreadId", sourcePid + 116);
    w.s("SourceImage", source);
    w.guid("TargetProcessGUID", guidHi(h, t - 86_000_000_000L), 0x000000000000L | targetPid);
    w.n("TargetProcessId", targetPid);
    w.s("TargetImage", target);
    w.s("GrantedAccess", access);
    w.s("CallTrace", callTrace);
    w.s("SourceUser", sourceUser);
    w.s("TargetUser", targetUser);
    w.close();
    return Channel.SYSMON;
  }

  Channel fileCreate(Host h, long t, String image, String u, String account, int pid, long guid, String target,
      String d) {
    sysmon(h, 11, t);
    w.guid("ProcessGuid", guidHi(h, t - 10_000_000L), guid);
    w.n("ProcessId", pid);
    w.t("Image", image, u, d, org.dns);
    w.t("TargetFilename", target, u, d, org.dns);
    w.utc("CreationUtcTime", t - 3000);
    w.s("User", account);
    w.close();
    return Channel.SYSMON;
  }

  Channel registrySet(Host h, long t, String image, String u, String account, int pid, long guid, String key,
      String details) {
    sysmon(h, 13, t);
    w.s("EventType", "SetValue");
    w.utc("UtcTime", t - 3000);
    w.guid("ProcessGuid", guidHi(h, t - 10_000_000L), guid);
    w.n("ProcessId", pid);
    w.t("Image", image, u, null, org.dns);
    w.t("TargetObject", key, u, null, org.dns);
    w.t("Details", details, u, null, org.dns);
    w.s("User", account);
    w.close();
    return Channel.SYSMON;
  }

  Channel dns(Host h, long t, String image, String u, String account, int pid, long guid, String name,
      String answer) {
    sysmon(h, 22, t);
    w.utc("UtcTime", t - 2000);
    w.guid("ProcessGuid", guidHi(h, t - 40_000_000L), guid);
    w.n("ProcessId", pid);
    w.s("QueryName", name);
    w.s("QueryStatus", "0");
    w.s("QueryResults", "::ffff:" + answer + ";");
    w.t("Image", image, u, null, org.dns);
    w.s("User", account);
    w.close();
    return Channel.SYSMON;
  }

  Channel driverLoad(Host h, long t, String path, String hashes, boolean signed, String signature, String status) {
    sysmon(h, 6, t);
    w.utc("UtcTime", t - 2000);
    w.s("ImageLoaded", path);
    w.s("Hashes", hashes);
    w.b("Signed", signed);
    w.s("Signature", signature);
    w.s("SignatureStatus", status);
    w.close();
    return Channel.SYSMON;
  }

  Channel logon(Host h, long t, String sam, String sid, String domain, int type, String ip, int port,
      String workstation, long logonId) {
    security(h, 4624, t);
    boolean network = type == 3;
    w.s("SubjectUserSid", network ? "S-1-0-0" : "S-1-5-18");
    w.s("SubjectUserName", network ? "-" : h.name + "$");
    w.s("SubjectDomainName", network ? "-" : org.netbios);
    w.s("SubjectLogonId", network ? "0x0" : "0x3e7");
    w.s("TargetUserSid", sid);
    w.s("TargetUserName", sam);
    w.s("TargetDomainName", domain);
    w.hex("TargetLogonId", logonId);
    w.n("LogonType", type);
    w.s("LogonProcessName", network ? "NtLmSsp " : type == 10 || type == 2 || type == 7 ? "User32 " : "Kerberos");
    w.s("AuthenticationPackageName", network ? "NTLM" : "Negotiate");
    w.s("WorkstationName", workstation);
    w.s("LogonGuid", "00000000-0000-0000-0000-000000000000");
    w.s("TransmittedServices", "-");
    w.s("LmPackageName", network ? "NTLM V2" : "-");
    w.n("KeyLength", network ? 128 : 0);
    w.s("ProcessId", network ? "0x0" : "0x" + Integer.toHexString(h.lsassPid + 40));
    w.s("ProcessName", network ? "-" : SYS32_WINLOGON);
    w.s("IpAddress", ip);
    w.s("IpPort", port < 0 ? "-" : String.valueOf(port));
    w.s("ImpersonationLevel", "%%1833");
    w.s("RestrictedAdminMode", type == 10 ? "%%1843" : "-");
    w.s("TargetOutboundUserName", "-");
    w.s("TargetOutboundDomainName", "-");
    w.s("VirtualAccount", "%%1843");
    w.s("TargetLinkedLogonId", "0x0");
    w.s("ElevatedToken", "%%1842");
    w.close();
    return Channel.SECURITY;
  }

  private static final String SYS32_WINLOGON = "C:\\Windows\\System32\\svchost.exe";

  Channel failedLogon(Host h, long t, String sam, String domain, int type, String ip, int port,
      String workstation, String subStatus) {
    security(h, 4625, t);
    w.s("SubjectUserSid", "S-1-0-0");
    w.s("SubjectUserName", "-");
    w.s("SubjectDomainName", "-");
    w.s("SubjectLogonId", "0x0");
    w.s("TargetUserSid", "S-1-0-0");
    w.s("TargetUserName", sam);
    w.s("TargetDomainName", domain);
    w.s("Status", "0xc000006d");
    w.s("FailureReason", subStatus.equals("0xc0000064") ? "%%2313" : "%%2313");
    w.s("SubStatus", subStatus);
    w.n("LogonType", type);
    w.s("LogonProcessName", "NtLmSsp ");
    w.s("AuthenticationPackageName", "NTLM");
    w.s("WorkstationName", workstation);
    w.s("TransmittedServices", "-");
    w.s("LmPackageName", "-");
    w.n("KeyLength", 0);
    w.s("ProcessId", "0x0");
    w.s("ProcessName", "-");
    w.s("IpAddress", ip);
    w.s("IpPort", String.valueOf(port));
    w.close();
    return Channel.SECURITY;
  }

  Channel specialLogon(Host h, long t, String sam, String sid, long logonId) {
    security(h, 4672, t);
    w.s("SubjectUserSid", sid);
    w.s("SubjectUserName", sam);
    w.s("SubjectDomainName", sid.equals("S-1-5-18") ? "NT AUTHORITY" : org.netbios);
    w.hex("SubjectLogonId", logonId);
    w.s("PrivilegeList", "SeSecurityPrivilege\r\n\t\t\tSeBackupPrivilege\r\n\t\t\tSeRestorePrivilege\r\n\t\t\t"
        + "SeTakeOwnershipPrivilege\r\n\t\t\tSeDebugPrivilege\r\n\t\t\tSeSystemEnvironmentPrivilege\r\n\t\t\t"
        + "SeLoadDriverPrivilege\r\n\t\t\tSeImpersonatePrivilege\r\n\t\t\tSeDelegateSessionUserImpersonatePrivilege");
    w.close();
    return Channel.SECURITY;
  }

  Channel logoff(Host h, long t, String sam, String sid, int type, long logonId) {
    security(h, 4634, t);
    w.s("TargetUserSid", sid);
    w.s("TargetUserName", sam);
    w.s("TargetDomainName", org.netbios);
    w.hex("TargetLogonId", logonId);
    w.n("LogonType", type);
    w.close();
    return Channel.SECURITY;
  }

  Channel explicitCredentials(Host h, long t, String sam, String sid, String targetSam, String server,
      String process, long logonId) {
    security(h, 4648, t);
    w.s("SubjectUserSid", sid);
    w.s("SubjectUserName", sam);
    w.s("SubjectDomainName", org.netbios);
    w.hex("SubjectLogonId", logonId);
    w.s("LogonGuid", "00000000-0000-0000-0000-000000000000");
    w.s("TargetUserName", targetSam);
    w.s("TargetDomainName", org.netbios);
    w.s("TargetLogonGuid", "00000000-0000-0000-0000-000000000000");
    w.s("TargetServerName", server);
    w.s("TargetInfo", server);
    w.s("ProcessId", "0x" + Integer.toHexString(h.lsassPid + 2000));
    w.s("ProcessName", process);
    w.s("IpAddress", "-");
    w.s("IpPort", "-");
    w.close();
    return Channel.SECURITY;
  }

  Channel processCreate4688(Host h, long t, String sam, String sid, long logonId, int pid, String image,
      String cmd, String parent, String u, String d, String label) {
    security(h, 4688, t);
    w.s("SubjectUserSid", sid);
    w.s("SubjectUserName", sam);
    w.s("SubjectDomainName", sid.equals("S-1-5-18") ? "NT AUTHORITY" : org.netbios);
    w.hex("SubjectLogonId", logonId);
    w.hex("NewProcessId", pid);
    w.t("NewProcessName", image, u, d, org.dns);
    w.s("TokenElevationType", "%%1936");
    w.hex("ProcessId", pid - 212);
    w.t("CommandLine", cmd, u, d, org.dns);
    w.s("TargetUserSid", "S-1-0-0");
    w.s("TargetUserName", "-");
    w.s("TargetDomainName", "-");
    w.s("TargetLogonId", "0x0");
    w.t("ParentProcessName", parent, u, d, org.dns);
    w.s("MandatoryLabel", label);
    w.close();
    return Channel.SECURITY;
  }

  Channel serviceInstallAudit(Host h, long t, String sam, String sid, long logonId, String name, String file,
      String type) {
    security(h, 4697, t);
    w.s("SubjectUserSid", sid);
    w.s("SubjectUserName", sam);
    w.s("SubjectDomainName", org.netbios);
    w.hex("SubjectLogonId", logonId);
    w.s("ServiceName", name);
    w.s("ServiceFileName", file);
    w.s("ServiceType", type);
    w.s("ServiceStartType", "3");
    w.s("ServiceAccount", "LocalSystem");
    w.close();
    return Channel.SECURITY;
  }

  Channel computerAccountChanged(Host h, long t, String target, String targetSid, String subject,
      String subjectSid, String subjectDomain, String passwordLastSet) {
    security(h, 4742, t);
    w.s("ComputerAccountChange", "-");
    w.s("TargetUserName", target);
    w.s("TargetDomainName", org.netbios);
    w.s("TargetSid", targetSid);
    w.s("SubjectUserSid", subjectSid);
    w.s("SubjectUserName", subject);
    w.s("SubjectDomainName", subjectDomain);
    w.s("SubjectLogonId", "0x3e6");
    w.s("PrivilegeList", "-");
    w.s("SamAccountName", "-");
    w.s("DisplayName", "-");
    w.s("UserPrincipalName", "-");
    w.s("HomeDirectory", "-");
    w.s("HomePath", "-");
    w.s("ScriptPath", "-");
    w.s("ProfilePath", "-");
    w.s("UserWorkstations", "-");
    w.s("PasswordLastSet", passwordLastSet);
    w.s("AccountExpires", "-");
    w.s("PrimaryGroupId", "-");
    w.s("AllowedToDelegateTo", "-");
    w.s("OldUacValue", "-");
    w.s("NewUacValue", "-");
    w.s("UserAccountControl", "-");
    w.s("UserParameters", "-");
    w.s("SidHistory", "-");
    w.s("LogonHours", "-");
    w.s("DnsHostName", "-");
    w.s("ServicePrincipalNames", "-");
    w.close();
    return Channel.SECURITY;
  }

  Channel kerberos(Host dc, long t, boolean tgt, String sam, String service, String ip) {
    security(dc, tgt ? 4768 : 4769, t);
    w.s("TargetUserName", tgt ? sam : sam + "@" + org.dns.toUpperCase(java.util.Locale.ROOT));
    w.s("TargetDomainName", tgt ? org.netbios : org.dns.toUpperCase(java.util.Locale.ROOT));
    w.s("ServiceName", service);
    w.s("TicketOptions", tgt ? "0x40810010" : "0x40810000");
    w.s("Status", "0x0");
    w.s("TicketEncryptionType", "0x12");
    w.s(tgt ? "PreAuthType" : "LogonGuid", tgt ? "2" : "00000000-0000-0000-0000-000000000000");
    w.s("IpAddress", "::ffff:" + ip);
    w.s("IpPort", "0");
    w.close();
    return Channel.SECURITY;
  }

  Channel shareAccess(Host h, long t, String sam, String sid, String ip, String share, long logonId) {
    security(h, 5140, t);
    w.s("SubjectUserSid", sid);
    w.s("SubjectUserName", sam);
    w.s("SubjectDomainName", org.netbios);
    w.hex("SubjectLogonId", logonId);
    w.s("ObjectType", "File");
    w.s("IpAddress", ip);
    w.s("IpPort", "0");
    w.s("ShareName", share);
    w.s("ShareLocalPath", "D:\\Shares\\" + share.substring(share.lastIndexOf('\\') + 1));
    w.s("AccessMask", "0x1");
    w.s("AccessList", "%%4416\r\n\t\t\t\t");
    w.close();
    return Channel.SECURITY;
  }

  Channel serviceInstalled(Host h, long t, String name, String imagePath, String type, String start,
      String account, String userSid) {
    w.open(Channel.SYSTEM, 7045, t, h.fqdn, h.nextRecord(Channel.SYSTEM), 784, 4312, userSid);
    w.s("ServiceName", name);
    w.s("ImagePath", imagePath);
    w.s("ServiceType", type);
    w.s("StartType", start);
    w.s("AccountName", account);
    w.close();
    return Channel.SYSTEM;
  }

  Channel serviceState(Host h, long t, String name, String state, String binary) {
    w.open(Channel.SYSTEM, 7036, t, h.fqdn, h.nextRecord(Channel.SYSTEM), 784, 4312, null);
    w.s("param1", name);
    w.s("param2", state);
    w.s("Binary", binary);
    w.close();
    return Channel.SYSTEM;
  }

  Channel scriptBlock(Host h, long t, String text, String u, int pid, String userSid, long idHi, long idLo,
      String path) {
    w.open(Channel.POWERSHELL, 4104, t, h.fqdn, h.nextRecord(Channel.POWERSHELL), pid, pid + 88, userSid);
    w.n("MessageNumber", 1);
    w.n("MessageTotal", 1);
    w.t("ScriptBlockText", text, u, null, org.dns);
    w.guid("ScriptBlockId", idHi, idLo);
    w.t("Path", path, u, null, org.dns);
    w.close();
    return Channel.POWERSHELL;
  }
}
