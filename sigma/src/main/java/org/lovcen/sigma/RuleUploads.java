package org.lovcen.sigma;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/*
 * How and why: rule files uploaded through the API run beside the loaded rules, in every runner
 * (serve's own detection and the Kafka workers), and must run the same way in each. So both
 * compile them here: as one rule set apart from the loaded rules (an upload neither recompiles the
 * large loaded set nor restarts the correlation windows that depend on it), with every status
 * (an analyst's new rule is usually experimental), and with the owner of each rule, which
 * InstitutionRules uses to keep an institution's upload to that institution's events.
 */
/**
 * The rule files uploaded for the whole nation or for one institution, compiled. Immutable and
 * thread-safe.
 *
 * @param rules the compiled rules of every upload, or null when there is none
 * @param owners uploaded rule id to the one institution it runs for (the rules of national uploads
 *     are absent)
 * @param problems the uploads' rules that do not compile, as {@code name: reason}
 */
public record RuleUploads(RuleSet rules, Map<String, String> owners, List<String> problems) {
  /** No upload. */
  public static final RuleUploads NONE = new RuleUploads(null, Map.of(), List.of());

  /**
   * One uploaded file.
   *
   * @param id the upload's id (names it: {@link #path()})
   * @param institution the institution it runs for, or null for every institution (national)
   * @param name the file name the uploader gave
   * @param yaml the file's text
   */
  public record File(long id, String institution, String name, String yaml) {
    /** The name its rules carry in the compiled set and its problems: {@code upload 3 (lateral.yml)}. */
    public String path() {
      return "upload " + id + " (" + name + ")";
    }
  }

  public RuleUploads {
    owners = Map.copyOf(owners);
    problems = List.copyOf(problems);
  }

  /**
   * Compiles the uploaded files as one rule set, every status admitted. A file that no longer
   * compiles (a rule changed since it was checked, a placeholder gone) is reported in
   * {@link #problems()}; the good rules still run.
   */
  public static RuleUploads compile(Collection<File> files) {
    if (files.isEmpty()) {
      return NONE;
    }
    Map<String, String> texts = new LinkedHashMap<>();
    Map<String, String> institutionOf = new HashMap<>();
    for (File f : files) {
      texts.put(f.path(), f.yaml());
      if (f.institution() != null) {
        institutionOf.put(f.path(), f.institution());
      }
    }
    RuleSet set = RuleSet.loadTexts(texts, RuleSet.Options.defaults().withAllStatuses(true));
    Map<String, String> owners = new HashMap<>();
    for (SigmaRule r : set.rules()) {
      String institution = institutionOf.get(r.path());
      if (institution != null) {
        owners.put(r.id(), institution);
      }
    }
    List<String> problems = new ArrayList<>();
    set.report().errors().forEach(i -> problems.add(i.path() + ": " + i.reason()));
    set.report().unsupported().forEach(i -> problems.add(i.path() + ": unsupported: " + i.reason()));
    return new RuleUploads(set, owners, problems);
  }
}
