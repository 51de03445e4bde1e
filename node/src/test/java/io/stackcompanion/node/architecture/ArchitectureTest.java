package io.stackcompanion.node.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.stackcompanion.node.Node;
import io.stackcompanion.node.config.NodeConfig;
import io.stackcompanion.node.stack.NodeStack;

import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.FileReader;
import java.io.FileWriter;
import java.io.RandomAccessFile;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.Timer;
import java.util.TimerTask;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

import static com.tngtech.archunit.core.domain.AccessTarget.Predicates.constructor;
import static com.tngtech.archunit.core.domain.AccessTarget.Predicates.declaredIn;
import static com.tngtech.archunit.core.domain.JavaAccess.Predicates.target;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.core.domain.properties.HasName.Predicates.nameMatching;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The rules that make recording complete and replay exact, checked on the node's bytecode: the core
 * takes time, timers and randomness only from what is injected and touches no thread, file, socket
 * or environment; the node never depends on the replayer or the simulator; one class decides the
 * STACK_COMPANION mode; only benchmarks make node stacks without frame tags.
 * (The recorder's side of the module arrows is checked in the recorder module.)
 */
@AnalyzeClasses(packages = "io.stackcompanion.node",
        importOptions = {ImportOption.DoNotIncludeTests.class, ImportOption.DoNotIncludeJars.class})
class ArchitectureTest {
    private static final String CORE = "io.stackcompanion.node.core..";
    /** Also checked in the replayer and the simulator; the bench module is the one place that may. */
    static final String UNTAGGED = "node frames without tags are for measuring what the tags cost (bench module, tests):"
            + " no option or configuration key of a node may reach them";
    private static final String WHY = "the core reads the world only through what is injected, or replay is not exact (DESIGN.md)";

    @ArchTest
    static final ArchRule theNodeNeverUsesTheReplayer = noClasses()
            .that().resideInAPackage("io.stackcompanion.node..")
            .should().dependOnClassesThat().resideInAnyPackage("io.stackcompanion.replay..", "io.stackcompanion.sim..",
                    "io.stackcompanion.bench..")
            .because("arrows point one way: replay -> node -> recorder, sim -> node -> recorder");

    @ArchTest
    static final ArchRule theCoreReadsNoClock = noClasses()
            .that().resideInAPackage(CORE)
            .should().accessTargetWhere(calls(System.class, "currentTimeMillis|nanoTime"))
            .orShould().accessTargetWhere(target(declaredIn(resideInAPackage("java.time..")).and(nameMatching("now")))
                    .as("a java.time now()"))
            .orShould().dependOnClassesThat(assignableTo(Clock.class))
            .because(WHY + ": time comes from the injected CoreRuntime clock");

    @ArchTest
    static final ArchRule theCoreStartsNoThreadAndSleepsNot = noClasses()
            .that().resideInAPackage(CORE)
            .should().dependOnClassesThat(assignableTo(Thread.class).or(assignableTo(ThreadGroup.class))
                    .or(type(Timer.class)).or(assignableTo(TimerTask.class))
                    .or(resideInAPackage("java.util.concurrent..").and(DescribedPredicate.not(type(TimeUnit.class))))
                    .as("are threads, timers, executors or other java.util.concurrent types"))
            .orShould().accessTargetWhere(target(nameMatching("parallelStream|parallel")).as("a parallel stream"))
            .because(WHY + ": the core is single-threaded and schedules only through its timer service");

    @ArchTest
    static final ArchRule theCoreDrawsOnlyFromTheInjectedRandom = noClasses()
            .that().resideInAPackage(CORE)
            .should().accessTargetWhere(target(constructor().and(declaredIn(assignableTo(Random.class))))
                    .as("a new java.util.Random or subclass"))
            .orShould().accessTargetWhere(calls(Math.class, "random"))
            .orShould().accessTargetWhere(calls(StrictMath.class, "random"))
            .orShould().accessTargetWhere(calls(UUID.class, "randomUUID"))
            .orShould().accessTargetWhere(calls(RandomGenerator.class, "getDefault|of"))
            .orShould().dependOnClassesThat(type(ThreadLocalRandom.class).or(assignableTo(SecureRandom.class))
                    .or(type(SplittableRandom.class)).or(type(RandomGeneratorFactory.class))
                    .as("are ThreadLocalRandom, SecureRandom, SplittableRandom or RandomGeneratorFactory"))
            .because(WHY + ": randomness comes only from the injected, seeded java.util.Random");

    @ArchTest
    static final ArchRule theCoreDoesNoFileOrNetworkIo = noClasses()
            .that().resideInAPackage(CORE)
            .should().dependOnClassesThat(resideInAnyPackage("java.nio.file..", "java.nio.channels..", "java.net..")
                    .or(type(File.class)).or(type(FileInputStream.class)).or(type(FileOutputStream.class))
                    .or(type(FileReader.class)).or(type(FileWriter.class)).or(type(RandomAccessFile.class))
                    .or(type(FileDescriptor.class))
                    .as("are files, java.nio.file, channels or sockets"))
            .because(WHY + ": what the core reads must cross its recorded boundary");

    @ArchTest
    static final ArchRule theCoreReadsNoEnvironment = noClasses()
            .that().resideInAPackage(CORE)
            .should().accessTargetWhere(calls(System.class, "getenv|getProperty|getProperties"))
            .orShould().accessTargetWhere(calls(Integer.class, "getInteger"))
            .orShould().accessTargetWhere(calls(Long.class, "getLong"))
            .orShould().accessTargetWhere(calls(Boolean.class, "getBoolean"))
            .because(WHY + ": configuration reaches the core as NodeConfig, read in one place");

    @ArchTest
    static final ArchRule onlyTheNodeAssemblyReadsStackCompanion = noClasses()
            .that().doNotBelongToAnyOf(Node.class, NodeConfig.class)
            .should().callMethod(NodeConfig.class, "stackCompanion")
            .because("nothing else branches on STACK_COMPANION than the place that assembles the stacks and the clock");

    @ArchTest
    static final ArchRule onlyBenchmarksRunNodeStacksWithoutFrameTags = noClasses()
            .that().doNotBelongToAnyOf(NodeStack.class)
            .should().callMethod(NodeStack.class, "withoutFrameTags")
            .because(UNTAGGED);

    /** A call or method reference to a method of {@code owner} whose name matches {@code names}. */
    private static DescribedPredicate<JavaAccess<?>> calls(Class<?> owner, String names) {
        return target(declaredIn(owner).and(nameMatching(names))).as(owner.getSimpleName() + "." + names.replace("|", "/"));
    }
}
