package org.lovcen.demo;

/**
 * The Windows event log channels the generator writes, with the System header values Windows
 * puts in their events (provider, version, task, keywords). Immutable.
 */
enum Channel {
  SYSMON("sysmon.jsonl", "Microsoft-Windows-Sysmon/Operational",
      "\"Name\":\"Microsoft-Windows-Sysmon\",\"Guid\":\"5770385F-C22A-43E0-BF4C-06F5698FFBD9\"", -1),
  SECURITY("security.jsonl", "Security",
      "\"Name\":\"Microsoft-Windows-Security-Auditing\",\"Guid\":\"54849625-5478-4994-A5BA-3E3B0328C30D\"", -1),
  SYSTEM("system.jsonl", "System",
      "\"Name\":\"Service Control Manager\",\"Guid\":\"555908d1-a6d7-4695-8e1e-26931d2012f4\","
          + "\"EventSourceName\":\"Service Control Manager\"", 16384),
  POWERSHELL("powershell.jsonl", "Microsoft-Windows-PowerShell/Operational",
      "\"Name\":\"Microsoft-Windows-PowerShell\",\"Guid\":\"A0C1853B-5C40-4B15-8766-3CF1C58F985A\"", -1);

  /** File name inside the institution's folder. */
  final String file;
  /** The {@code Channel} value in the System block. */
  final String channelName;
  final String providerAttributes;
  /** EventID qualifiers as evtx_dump prints them for classic providers, or -1. */
  final int qualifiers;

  Channel(String file, String channelName, String providerAttributes, int qualifiers) {
    this.file = file;
    this.channelName = channelName;
    this.providerAttributes = providerAttributes;
    this.qualifiers = qualifiers;
  }

  int version(int id) {
    return switch (this) {
      case SYSMON -> switch (id) {
        case 1, 3, 22 -> 5;
        case 6 -> 4;
        case 7, 10 -> 3;
        default -> 2;
      };
      case SECURITY -> switch (id) {
        case 4624, 4688 -> 2;
        case 4697 -> 1;
        default -> 0;
      };
      case POWERSHELL -> 1;
      case SYSTEM -> 0;
    };
  }

  int level(int id) {
    return switch (this) {
      case SYSMON, SYSTEM -> 4;
      case SECURITY -> 0;
      case POWERSHELL -> 5;
    };
  }

  int task(int id) {
    return switch (this) {
      case SYSMON -> id;
      case SECURITY -> switch (id) {
        case 4624, 4625, 4648 -> 12544;
        case 4634 -> 12545;
        case 4672 -> 12548;
        case 4688 -> 13312;
        case 4697 -> 12289;
        case 4742 -> 13825;
        case 4768 -> 14339;
        case 4769 -> 14337;
        case 5140 -> 12808;
        default -> 0;
      };
      case POWERSHELL -> 2;
      case SYSTEM -> 0;
    };
  }

  int opcode(int id) {
    return this == POWERSHELL ? 15 : 0;
  }

  String keywords(int id) {
    return switch (this) {
      case SYSMON -> "0x8000000000000000";
      case SECURITY -> id == 4625 ? "0x8010000000000000" : "0x8020000000000000";
      case SYSTEM -> "0x8080000000000000";
      case POWERSHELL -> "0x0";
    };
  }
}
