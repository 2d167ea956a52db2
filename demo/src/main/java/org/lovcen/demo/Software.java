package org.lovcen.demo;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The ordinary software of a government office, as process-creation templates, libraries,
 * drivers, domains and documents. Command lines are templates: {@code {u}} is the user,
 * {@code {d}} a document, {@code {dom}} the DNS domain. Immutable and shared.
 */
final class Software {
  private Software() {}

  /** One kind of process start. */
  record Proc(String image, String cmd, String parent, String parentCmd, boolean system, String description,
      String product, String company, String original, String hashes) {}

  static final String SYS32 = "C:\\Windows\\System32\\";
  static final String OFFICE = "C:\\Program Files\\Microsoft Office\\root\\Office16\\";
  static final String CHROME = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe";
  static final String EDGE = "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe";
  static final String TEAMS =
      "C:\\Program Files\\WindowsApps\\MSTeams_22217.303.1505.1215_x64__8wekyb3d8bbwe\\ms-teams.exe";
  static final String EXPLORER = "C:\\Windows\\explorer.exe";
  static final String SVCHOST = SYS32 + "svchost.exe";
  static final String SERVICES = SYS32 + "services.exe";
  static final String DEFENDER = "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2207.7-0\\MsMpEng.exe";
  static final String POWERSHELL = SYS32 + "WindowsPowerShell\\v1.0\\powershell.exe";
  static final String ONEDRIVE = "C:\\Users\\{u}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe";

  /** Processes started on workstations by or for the user. */
  static final Proc[] WORKSTATION = {
      user(CHROME, "\"" + CHROME + "\" --type=renderer --lang=sr --device-scale-factor=1 --num-raster-threads=4 "
          + "--enable-main-frame-before-activation --renderer-client-id=47 --mojo-platform-channel-handle=4816 /prefetch:1",
          CHROME, "\"" + CHROME + "\"", "Google Chrome", "Google Chrome", "Google LLC", "chrome.exe"),
      user(CHROME, "\"" + CHROME + "\" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=sr "
          + "--service-sandbox-type=none --mojo-platform-channel-handle=2152 /prefetch:3",
          CHROME, "\"" + CHROME + "\"", "Google Chrome", "Google Chrome", "Google LLC", "chrome.exe"),
      user(CHROME, "\"" + CHROME + "\"", EXPLORER, EXPLORER, "Google Chrome", "Google Chrome", "Google LLC",
          "chrome.exe"),
      user(EDGE, "\"" + EDGE + "\" --type=renderer --lang=sr --js-flags=--ms-user-locale= --device-scale-factor=1 "
          + "--num-raster-threads=4 --renderer-client-id=12 /prefetch:1",
          EDGE, "\"" + EDGE + "\" --no-startup-window", "Microsoft Edge", "Microsoft Edge", "Microsoft Corporation",
          "msedge.exe"),
      user(OFFICE + "WINWORD.EXE", "\"" + OFFICE + "WINWORD.EXE\" /n \"C:\\Users\\{u}\\Documents\\{d}.docx\" /o \"\"",
          EXPLORER, EXPLORER, "Microsoft Word", "Microsoft Office", "Microsoft Corporation", "WinWord.exe"),
      user(OFFICE + "EXCEL.EXE", "\"" + OFFICE + "EXCEL.EXE\" \"\\\\{dom}\\dfs\\Finansije\\{d}.xlsx\"",
          EXPLORER, EXPLORER, "Microsoft Excel", "Microsoft Office", "Microsoft Corporation", "Excel.exe"),
      user(OFFICE + "OUTLOOK.EXE", "\"" + OFFICE + "OUTLOOK.EXE\" ", EXPLORER, EXPLORER, "Microsoft Outlook",
          "Microsoft Office", "Microsoft Corporation", "Outlook.exe"),
      user(OFFICE + "POWERPNT.EXE", "\"" + OFFICE + "POWERPNT.EXE\" \"C:\\Users\\{u}\\Downloads\\{d}.pptx\"",
          EXPLORER, EXPLORER, "Microsoft PowerPoint", "Microsoft Office", "Microsoft Corporation", "POWERPNT.EXE"),
      user(SYS32 + "splwow64.exe", SYS32 + "splwow64.exe 12288", OFFICE + "WINWORD.EXE",
          "\"" + OFFICE + "WINWORD.EXE\" ", "Print driver host for applications", "Microsoft Windows Operating System",
          "Microsoft Corporation", "splwow64.exe"),
      user(TEAMS, "\"" + TEAMS + "\" msteams:system-initiated", EXPLORER, EXPLORER, "Microsoft Teams",
          "Microsoft Teams", "Microsoft Corporation", "ms-teams.exe"),
      user("C:\\Program Files (x86)\\Microsoft\\EdgeWebView\\Application\\104.0.1293.63\\msedgewebview2.exe",
          "\"C:\\Program Files (x86)\\Microsoft\\EdgeWebView\\Application\\104.0.1293.63\\msedgewebview2.exe\" "
              + "--embedded-browser-webview=1 --webview-exe-name=ms-teams.exe --mojo-named-platform-channel-pipe=7812",
          TEAMS, "\"" + TEAMS + "\" msteams:system-initiated", "Microsoft Edge WebView2", "Microsoft Edge WebView2",
          "Microsoft Corporation", "msedgewebview2.exe"),
      user(ONEDRIVE, "\"" + ONEDRIVE + "\" /background", EXPLORER, EXPLORER, "Microsoft OneDrive",
          "Microsoft OneDrive", "Microsoft Corporation", "OneDrive.exe"),
      user("C:\\Program Files\\Adobe\\Acrobat DC\\Acrobat\\Acrobat.exe",
          "\"C:\\Program Files\\Adobe\\Acrobat DC\\Acrobat\\Acrobat.exe\" \"C:\\Users\\{u}\\Downloads\\{d}.pdf\"",
          EXPLORER, EXPLORER, "Adobe Acrobat", "Adobe Acrobat", "Adobe Systems Incorporated", "Acrobat.exe"),
      user(SYS32 + "notepad.exe", "\"" + SYS32 + "notepad.exe\" C:\\Users\\{u}\\Desktop\\biljeske.txt", EXPLORER,
          EXPLORER, "Notepad", "Microsoft Windows Operating System", "Microsoft Corporation", "NOTEPAD.EXE"),
      user(SYS32 + "taskhostw.exe", "taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}", SVCHOST,
          SVCHOST + " -k netsvcs -p -s Schedule", "Host Process for Windows Tasks",
          "Microsoft Windows Operating System", "Microsoft Corporation", "taskhostw.exe"),
      user(SYS32 + "RuntimeBroker.exe", SYS32 + "RuntimeBroker.exe -Embedding", SVCHOST,
          SVCHOST + " -k DcomLaunch -p", "Runtime Broker", "Microsoft Windows Operating System",
          "Microsoft Corporation", "RuntimeBroker.exe"),
      user(SYS32 + "backgroundTaskHost.exe",
          "\"" + SYS32 + "backgroundTaskHost.exe\" -ServerName:BackgroundTaskHost.WebAccountProvider", SVCHOST,
          SVCHOST + " -k DcomLaunch -p", "Background Task Host", "Microsoft Windows Operating System",
          "Microsoft Corporation", "backgroundTaskHost.exe"),
      user(SYS32 + "conhost.exe", "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1", SYS32 + "cmd.exe",
          "\"C:\\Windows\\system32\\cmd.exe\" ", "Console Window Host", "Microsoft Windows Operating System",
          "Microsoft Corporation", "CONHOST.EXE"),
      user(SYS32 + "cmd.exe", "\"C:\\Windows\\system32\\cmd.exe\" ", EXPLORER, EXPLORER,
          "Windows Command Processor", "Microsoft Windows Operating System", "Microsoft Corporation", "Cmd.Exe"),
      user(SYS32 + "ipconfig.exe", "ipconfig  /all", SYS32 + "cmd.exe", "\"C:\\Windows\\system32\\cmd.exe\" ",
          "IP Configuration Utility", "Microsoft Windows Operating System", "Microsoft Corporation",
          "ipconfig.exe"),
      user(SYS32 + "net.exe", "net  use S: \\\\{dom}\\dfs\\Zajednicko /persistent:yes", SYS32 + "cmd.exe",
          "\"C:\\Windows\\system32\\cmd.exe\" ", "Net Command", "Microsoft Windows Operating System",
          "Microsoft Corporation", "net.exe"),
      user(SYS32 + "rundll32.exe", "C:\\Windows\\system32\\rundll32.exe C:\\Windows\\system32\\shell32.dll,"
          + "SHCreateLocalServerRunDll {9aa46009-3ce0-458a-a354-715610a075e6} -Embedding", SVCHOST,
          SVCHOST + " -k DcomLaunch -p", "Windows host process (Rundll32)", "Microsoft Windows Operating System",
          "Microsoft Corporation", "RUNDLL32.EXE"),
      user(SYS32 + "rundll32.exe", "\"C:\\Windows\\system32\\rundll32.exe\" printui.dll,PrintUIEntry /in "
          + "/n\\\\{dom}\\HP-LJ-M428-3sprat", EXPLORER, EXPLORER, "Windows host process (Rundll32)",
          "Microsoft Windows Operating System", "Microsoft Corporation", "RUNDLL32.EXE"),
      user(POWERSHELL, "\"" + POWERSHELL + "\" -NoProfile -ExecutionPolicy Bypass -File \\\\{dom}\\NETLOGON\\mapiranje.ps1",
          SYS32 + "gpscript.exe", "gpscript.exe /Logon", "Windows PowerShell", "Microsoft Windows Operating System",
          "Microsoft Corporation", "PowerShell.EXE"),
      user(EXPLORER, EXPLORER, SYS32 + "userinit.exe", SYS32 + "userinit.exe", "Windows Explorer",
          "Microsoft Windows Operating System", "Microsoft Corporation", "EXPLORER.EXE"),
      user("C:\\Program Files\\7-Zip\\7zFM.exe", "\"C:\\Program Files\\7-Zip\\7zFM.exe\" "
          + "\"C:\\Users\\{u}\\Downloads\\{d}.zip\"", EXPLORER, EXPLORER, "7-Zip File Manager", "7-Zip",
          "Igor Pavlov", "7zFM.exe"),
  };

  /** Processes started by the system on any machine. */
  static final Proc[] SYSTEM = {
      system(SVCHOST, SVCHOST + " -k netsvcs -p -s Schedule", SERVICES, SERVICES, "Host Process for Windows Services",
          "svchost.exe"),
      system(SVCHOST, SVCHOST + " -k LocalServiceNetworkRestricted -p -s wscsvc", SERVICES, SERVICES,
          "Host Process for Windows Services", "svchost.exe"),
      system(SVCHOST, SVCHOST + " -k netsvcs -p -s wuauserv", SERVICES, SERVICES,
          "Host Process for Windows Services", "svchost.exe"),
      system(SYS32 + "SearchProtocolHost.exe", "\"" + SYS32 + "SearchProtocolHost.exe\" Global\\UsGthrFltPipeMssGthrPipe5_ "
          + "Global\\UsGthrCtrlFltPipeMssGthrPipe5 1 -2147483646 \"Software\\Microsoft\\Windows Search\" "
          + "\"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)\" \"C:\\ProgramData\\Microsoft\\Search\\Data\\Temp\\usgthrsvc\" "
          + "\"DownloadsDisabled\"", SYS32 + "SearchIndexer.exe", SYS32 + "SearchIndexer.exe /Embedding",
          "Microsoft Windows Search Protocol Host", "SearchProtocolHost.exe"),
      system("C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2207.7-0\\MpCmdRun.exe",
          "\"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2207.7-0\\MpCmdRun.exe\" -IdleTask "
              + "-TaskName WdCacheMaintenance", SVCHOST, SVCHOST + " -k netsvcs -p -s Schedule",
          "Microsoft Malware Protection Command Line Utility", "MpCmdRun.exe"),
      system("C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2207.7-0\\MpCmdRun.exe",
          "\"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2207.7-0\\MpCmdRun.exe\" SignatureUpdate "
              + "-ScheduleJob -RestrictPrivileges", SVCHOST, SVCHOST + " -k netsvcs -p -s Schedule",
          "Microsoft Malware Protection Command Line Utility", "MpCmdRun.exe"),
      system(SYS32 + "wuauclt.exe", "\"" + SYS32 + "wuauclt.exe\" /RunHandlerComServer", SVCHOST,
          SVCHOST + " -k netsvcs -p -s wuauserv", "Windows Update", "wuauclt.exe"),
      system(SYS32 + "MoUsoCoreWorker.exe", SYS32 + "MoUsoCoreWorker.exe -Embedding", SVCHOST,
          SVCHOST + " -k DcomLaunch -p", "MoUSO Core Worker Process", "MoUsoCoreWorker.exe"),
      system("C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe",
          "\"C:\\Program Files (x86)\\Microsoft\\EdgeUpdate\\MicrosoftEdgeUpdate.exe\" /ua /installsource scheduler",
          SVCHOST, SVCHOST + " -k netsvcs -p -s Schedule", "Microsoft Edge Update", "MicrosoftEdgeUpdate.exe"),
      system(SYS32 + "wbem\\WmiPrvSE.exe", SYS32 + "wbem\\wmiprvse.exe -secured -Embedding", SVCHOST,
          SVCHOST + " -k DcomLaunch -p", "WMI Provider Host", "Wmiprvse.exe"),
      system(SYS32 + "gpupdate.exe", "gpupdate.exe /target:computer", SVCHOST, SVCHOST + " -k GPSvcGroup",
          "Microsoft® Windows Group Policy Refresh Utility", "GPUpdate.exe"),
      system(SYS32 + "sc.exe", "sc.exe query WinDefend", SYS32 + "cmd.exe",
          "C:\\Windows\\system32\\cmd.exe /c \"C:\\Program Files\\Veeam\\Endpoint Backup\\check.cmd\"",
          "Service Control Manager Configuration Tool", "sc.exe"),
      system(POWERSHELL, "\"" + POWERSHELL + "\" -NoLogo -NonInteractive -ExecutionPolicy Bypass -EncodedCommand "
          + encode("Get-CimInstance Win32_OperatingSystem | Select-Object LastBootUpTime, Version | ConvertTo-Json"),
          "C:\\Program Files (x86)\\Microsoft Intune Management Extension\\AgentExecutor.exe",
          "\"C:\\Program Files (x86)\\Microsoft Intune Management Extension\\agentexecutor.exe\" -powershell",
          "Windows PowerShell", "PowerShell.EXE"),
  };

  /** Libraries that ordinary processes load (Sysmon 7). */
  static final String[][] LIBRARIES = {
      {SYS32 + "ntdll.dll", "NT Layer DLL", "ntdll.dll"},
      {SYS32 + "kernel32.dll", "Windows NT BASE API Client DLL", "kernel32"},
      {SYS32 + "KernelBase.dll", "Windows NT BASE API Client DLL", "Kernelbase.dll"},
      {SYS32 + "advapi32.dll", "Advanced Windows 32 Base API", "advapi32.dll"},
      {SYS32 + "crypt32.dll", "Crypto API32", "CRYPT32.DLL"},
      {SYS32 + "bcryptprimitives.dll", "Windows Cryptographic Primitives Library", "bcryptprimitives.dll"},
      {SYS32 + "ole32.dll", "Microsoft OLE for Windows", "OLE32.DLL"},
      {SYS32 + "combase.dll", "Microsoft COM for Windows", "COMBASE.DLL"},
      {SYS32 + "winhttp.dll", "Windows HTTP Services", "winhttp.dll"},
      {SYS32 + "wininet.dll", "Internet Extensions for Win32", "wininet.dll"},
      {SYS32 + "dnsapi.dll", "DNS Client API DLL", "dnsapi"},
      {SYS32 + "mswsock.dll", "Microsoft Windows Sockets 2.0 Service Provider", "mswsock.dll"},
      {SYS32 + "uxtheme.dll", "Microsoft UxTheme Library", "UxTheme.dll"},
      {SYS32 + "amsi.dll", "Anti-Malware Scan Interface", "amsi.dll"},
      {SYS32 + "clbcatq.dll", "COM+ Configuration Catalog", "CLBCatQ.DLL"},
      {SYS32 + "msvcp_win.dll", "Microsoft C Runtime Library", "msvcp_win.dll"},
  };

  /** {@code Hashes} of {@link #LIBRARIES}, by index. */
  static final String[] LIBRARY_HASHES = hashesOf(LIBRARIES);

  /** Kernel drivers seen at boot or after updates (Sysmon 6). */
  static final String[][] DRIVERS = {
      {SYS32 + "drivers\\WdFilter.sys", "Microsoft Windows"},
      {SYS32 + "drivers\\WdNisDrv.sys", "Microsoft Windows"},
      {SYS32 + "drivers\\mpsdrv.sys", "Microsoft Windows"},
      {SYS32 + "DriverStore\\FileRepository\\iaStorAC.inf_amd64_7a4d3fd1bbfdbcb7\\iaStorAC.sys", "Intel Corporation"},
      {SYS32 + "DriverStore\\FileRepository\\nvlddmkm.inf_amd64_c1a1b4b0d2f0e2ad\\nvlddmkm.sys", "NVIDIA Corporation"},
  };

  /** {@code Hashes} of {@link #DRIVERS}, by index. */
  static final String[] DRIVER_HASHES = hashesOf(DRIVERS);

  /** Internet names office machines look up, with an address each answer contains. */
  static final String[][] DOMAINS = {
      {"www.google.com", "142.250.180.196"},
      {"clients2.google.com", "142.250.180.206"},
      {"login.microsoftonline.com", "20.190.159.2"},
      {"outlook.office365.com", "52.97.146.162"},
      {"teams.microsoft.com", "52.113.194.132"},
      {"presence.teams.microsoft.com", "52.112.238.2"},
      {"mfaprod.blob.core.windows.net", "20.60.88.100"},
      {"settings-win.data.microsoft.com", "20.42.73.29"},
      {"v10.events.data.microsoft.com", "20.189.173.14"},
      {"fe3cr.delivery.mp.microsoft.com", "20.54.24.148"},
      {"wdcp.microsoft.com", "20.106.86.13"},
      {"go.microsoft.com", "23.50.124.193"},
      {"oneclient.sfx.ms", "13.107.42.14"},
      {"www.gov.me", "195.66.163.60"},
      {"www.vijesti.me", "104.18.20.221"},
      {"www.cdm.me", "172.67.71.33"},
      {"www.rtcg.me", "195.66.174.11"},
      {"www.pobjeda.me", "104.21.53.12"},
      {"www.cbcg.me", "195.66.166.5"},
      {"www.monstat.org", "195.66.160.14"},
      {"ec.europa.eu", "147.67.34.30"},
      {"www.youtube.com", "142.250.186.142"},
      {"www.linkedin.com", "13.107.42.14"},
      {"acroipm2.adobe.com", "23.36.76.53"},
      {"edge.microsoft.com", "13.107.21.239"},
      {"ctldl.windowsupdate.com", "93.184.221.240"},
  };

  /** Names of the documents people work on (without extension). */
  static final String[] DOCUMENTS = {"Budzet_2022_rebalans", "Izvjestaj_Q2", "Plan_nabavki_2022",
      "Zapisnik_sa_sastanka", "Rjesenje_o_zaposlenju", "Ugovor_o_djelu", "Nacrt_zakona_o_PDV",
      "Putni_nalog", "Zahtjev_za_odmor", "Prezentacija_kolegijum", "Odluka_o_raspodjeli", "Analiza_prihoda_jul",
      "Obrazac_PPDG", "Informacija_za_Vladu", "Dopis_Ministarstvu", "Spisak_ucesnika", "Izvod_iz_registra"};

  /** Benign PowerShell script blocks (4104) seen from logon scripts and management agents. */
  static final String[] SCRIPT_BLOCKS = {
      "prompt",
      "$global:?",
      "Get-CimInstance Win32_OperatingSystem | Select-Object LastBootUpTime, Version | ConvertTo-Json",
      "$drive = 'S:'\n$share = '\\\\{dom}\\dfs\\Zajednicko'\nif (-not (Test-Path $drive)) { New-PSDrive -Name S "
          + "-PSProvider FileSystem -Root $share -Persist | Out-Null }",
      "Get-Printer | Where-Object { $_.Type -eq 'Connection' } | Select-Object Name, PortName",
      "Set-StrictMode -Version 1; $ErrorActionPreference = 'SilentlyContinue'; Get-ItemProperty "
          + "'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion' | Select-Object ProductName, ReleaseId, CurrentBuild",
      "Get-MpComputerStatus | Select-Object AMServiceEnabled, AntivirusSignatureLastUpdated, RealTimeProtectionEnabled",
      "Get-ChildItem -Path $env:TEMP -Recurse -ErrorAction SilentlyContinue | Where-Object { $_.LastWriteTime -lt "
          + "(Get-Date).AddDays(-14) } | Remove-Item -Force -Recurse -ErrorAction SilentlyContinue",
  };

  private static Proc user(String image, String cmd, String parent, String parentCmd, String description,
      String product, String company, String original) {
    return new Proc(image, cmd, parent, parentCmd, false, description, product, company, original, hashes(image));
  }

  private static Proc system(String image, String cmd, String parent, String parentCmd, String description,
      String original) {
    return new Proc(image, cmd, parent, parentCmd, true, description, "Microsoft® Windows® Operating System",
        "Microsoft Corporation", original, hashes(image));
  }

  private static String[] hashesOf(String[][] files) {
    String[] out = new String[files.length];
    for (int i = 0; i < files.length; i++) {
      out[i] = hashes(files[i][0]);
    }
    return out;
  }

  /** A stable Sysmon {@code Hashes} value for a file, derived from its path and a tag. */
  static String hashes(String path) {
    String key = path.toLowerCase(Locale.ROOT);
    return "MD5=" + digest("MD5", key) + ",SHA256=" + digest("SHA-256", key) + ",IMPHASH="
        + digest("MD5", "imp:" + key);
  }

  static String digest(String algorithm, String text) {
    try {
      byte[] d = MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().withUpperCase().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** PowerShell's {@code -EncodedCommand} form: Base64 of UTF-16LE. */
  static String encode(String script) {
    return Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_16LE));
  }
}
