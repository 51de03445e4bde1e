package io.stackcompanion.recorder.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The bottom of the module arrows ({@code replay -> node -> recorder}, {@code sim -> node -> recorder}),
 * checked on the recorder's bytecode: the recorder knows bytes and event kinds, never consensus
 * types, the replayer or the simulator.
 */
@AnalyzeClasses(packages = "io.stackcompanion.recorder",
        importOptions = {ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class ArchitectureTest {

    @ArchTest
    static final ArchRule recorderNeverUsesTheNodeOrTheReplayer = noClasses()
            .that().resideInAPackage("io.stackcompanion.recorder..")
            .should().dependOnClassesThat().resideInAnyPackage("io.stackcompanion.node..", "io.stackcompanion.replay..",
                    "io.stackcompanion.sim..", "io.stackcompanion.bench..")
            .because("the recorder knows bytes and event kinds, not consensus (DESIGN.md, Modules)");
}
