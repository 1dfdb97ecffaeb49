package venus.retrieval.node.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import venus.retrieval.ipld.testing.Vectors;

/**
 * How {@code bin/vrn} picks its JVM and options: stub JDK homes whose {@code bin/java} prints the
 * arguments it was given, so the test sees exactly what the launcher would exec.
 */
class LauncherJavaIT {
    @TempDir
    Path tmp;

    private Path stubJdk(String name, String version) throws IOException {
        Path home = tmp.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        Path java = home.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\necho \"" + name + "\"\nfor a in \"$@\"; do echo \"$a\"; done\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    private List<String> launch(Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Vectors.root().resolve("bin/vrn").toString(), "id", "--json");
        pb.environment().remove("JAVA_HOME");
        pb.environment().remove("VRN_JAVA");
        pb.environment().remove("VRN_JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return out.lines().toList();
    }

    @Test
    void javaHomeWinsAndAJdk17GetsOnlyTheOpens() throws Exception {
        Path jdk17 = stubJdk("jdk17", "17.0.15");
        List<String> args = launch(Map.of("JAVA_HOME", jdk17.toString()));
        assertThat(args.get(0)).isEqualTo("jdk17");
        assertThat(args).contains("--add-opens", "java.base/java.nio=ALL-UNNAMED", "venus.retrieval.node.cli.Vrn", "id", "--json");
        assertThat(args).doesNotContain("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED");
        assertThat(args.subList(args.size() - 3, args.size())).containsExactly("venus.retrieval.node.cli.Vrn", "id", "--json");
    }

    @Test
    void aJdk25GetsTheFlagsThatSilenceItsStartUpWarnings() throws Exception {
        Path jdk25 = stubJdk("jdk25", "25.0.3");
        List<String> args = launch(Map.of("JAVA_HOME", jdk25.toString(), "VRN_JAVA_OPTS", "-Xmx1g"));
        assertThat(args.get(0)).isEqualTo("jdk25");
        assertThat(args).contains("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED", "-Xmx1g");
    }

    @Test
    void vrnJavaWinsOverJavaHome() throws Exception {
        Path jdk17 = stubJdk("jdk17", "17.0.15");
        Path jdk25 = stubJdk("jdk25", "25.0.3");
        List<String> args = launch(Map.of("JAVA_HOME", jdk17.toString(), "VRN_JAVA", jdk25.resolve("bin/java").toString()));
        assertThat(args.get(0)).isEqualTo("jdk25");
        assertThat(args).contains("--enable-native-access=ALL-UNNAMED");
    }
}
