package io.stackcompanion.sim.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.stackcompanion.node.stack.NodeStack;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The simulator's side of the arrows {@code sim -> node -> recorder}, checked on its bytecode: it
 * uses the node and the recorder as any user of them does, never the replayer or the benchmarks.
 * (That node, recorder and replay never use the simulator is checked in their modules.)
 */
@AnalyzeClasses(packages = "io.stackcompanion.sim",
        importOptions = {ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class ArchitectureTest {

    @ArchTest
    static final ArchRule theSimulatorNeverUsesTheReplayerOrTheBenchmarks = noClasses()
            .that().resideInAPackage("io.stackcompanion.sim..")
            .should().dependOnClassesThat().resideInAnyPackage("io.stackcompanion.replay..", "io.stackcompanion.bench..")
            .because("arrows point one way: sim -> node -> recorder (DESIGN.md, Modules)");

    @ArchTest
    static final ArchRule itRunsNoNodeStackWithoutFrameTags = noClasses()
            .should().callMethod(NodeStack.class, "withoutFrameTags")
            .because("node frames without tags are for measuring what the tags cost (bench module, tests):"
                    + " no option or configuration key of a node may reach them");
}
