/**
 * Demo data: Windows event logs of fictional state institutions with the August 2022 ransomware
 * intrusion woven in (SCENARIO.md, wave A), and its ground truth. The entry point is {@link
 * org.lovcen.demo.ScenarioGenerator}; everything else is package-private.
 */
package org.lovcen.demo;
