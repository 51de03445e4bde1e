package io.stackcompanion.replay.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.stackcompanion.node.stack.NodeStack;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The replayer's side of the arrows, checked on its bytecode: {@code replay -> node -> recorder}
 * and {@code sim -> node -> recorder} are two branches; the replayer never uses the simulator (a
 * failing seed's recordings are replayed as any pool's are).
 */
@AnalyzeClasses(packages = "io.stackcompanion.replay",
        importOptions = {ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class ArchitectureTest {

    @ArchTest
    static final ArchRule theReplayerNeverUsesTheSimulatorOrTheBenchmarks = noClasses()
            .that().resideInAPackage("io.stackcompanion.replay..")
            .should().dependOnClassesThat().resideInAnyPackage("io.stackcompanion.sim..", "io.stackcompanion.bench..")
            .because("arrows point one way: replay -> node -> recorder, sim -> node -> recorder (DESIGN.md, Modules)");

    @ArchTest
    static final ArchRule itRunsNoNodeStackWithoutFrameTags = noClasses()
            .should().callMethod(NodeStack.class, "withoutFrameTags")
            .because("node frames without tags are for measuring what the tags cost (bench module, tests):"
                    + " no option or configuration key of a node may reach them");
}
