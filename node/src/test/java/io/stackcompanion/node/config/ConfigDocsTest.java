package io.stackcompanion.node.config;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One truth for the configuration a user reads: the defaults file {@code config/node.properties},
 * the README's configuration table and {@link ConfigKey} list the same keys, in the same order, with
 * the same defaults and the same accepted values, so none can drift from the others.
 */
class ConfigDocsTest {
    /** The repository's root: tests run in the module folder. */
    private static final Path ROOT = Path.of("..");
    private static final Pattern PROPERTY = Pattern.compile("^([A-Z][A-Z0-9_]*)=(.*)$");
    private static final Pattern ROW = Pattern.compile("^\\| `([A-Z][A-Z0-9_]*)` \\| ([^|]+) \\| `([^`]+)` \\| [^|]+ \\|$");

    private static final List<String> KEYS = Arrays.stream(ConfigKey.values()).map(Enum::name).toList();

    /** KEY=VALUE lines of config/node.properties, in file order. */
    private static Map<String, String> propertiesFile() throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : Files.readAllLines(ROOT.resolve("config/node.properties"), StandardCharsets.UTF_8)) {
            Matcher p = PROPERTY.matcher(line);
            if (p.matches()) {
                assertThat(m.put(p.group(1), p.group(2).trim())).as(p.group(1) + " twice in config/node.properties").isNull();
            } else {
                assertThat(line).as("config/node.properties holds only comments and KEY=VALUE lines").matches("^(#.*)?$");
            }
        }
        return m;
    }

    /** The rows of the README's configuration table: key to {default, accepted}, in table order. */
    private static Map<String, List<String>> readmeTable() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        int section = readme.indexOf("\n## Configuration\n");
        assertThat(section).as("README has a Configuration section").isPositive();
        int end = readme.indexOf("\n## ", section + 1);
        List<String> lines = readme.substring(section, end < 0 ? readme.length() : end).lines().toList();
        int header = lines.indexOf("| key | default | accepted | meaning |");
        assertThat(header).as("the Configuration section's table header").isPositive();
        Map<String, List<String>> rows = new LinkedHashMap<>();
        for (String line : lines.subList(header + 2, lines.size())) {
            if (!line.startsWith("|")) {
                break;
            }
            Matcher r = ROW.matcher(line);
            assertThat(r.matches()).as("a README table row is | `KEY` | `default` or (empty) | `accepted` | meaning |: " + line).isTrue();
            String cell = r.group(2).trim();
            String def = cell.equals("(empty)") ? "" : cell.replaceAll("^`(.*)`$", "$1");
            assertThat(def).as("the default of " + r.group(1) + " is one code span: " + cell).doesNotContain("`");
            assertThat(rows.put(r.group(1), List.of(def, r.group(3)))).as(r.group(1) + " twice in the README table").isNull();
        }
        return rows;
    }

    @Test
    void thePropertiesFileListsEveryKeyInTableOrder() throws Exception {
        assertThat(new ArrayList<>(propertiesFile().keySet())).isEqualTo(KEYS);
    }

    @Test
    void theReadmeTableHasEveryKeyWithItsDefaultAndTheValuesItAccepts() throws Exception {
        Map<String, String> defaults = propertiesFile();
        Map<String, List<String>> table = readmeTable();
        assertThat(new ArrayList<>(table.keySet())).isEqualTo(KEYS);
        for (ConfigKey key : ConfigKey.values()) {
            assertThat(table.get(key.name()).get(0)).as("README default of " + key).isEqualTo(defaults.get(key.name()));
            assertThat(table.get(key.name()).get(1)).as("README accepted values of " + key).isEqualTo(key.range());
        }
    }

    @Test
    void theBuiltDefaultsAreTheFile() throws Exception {
        // What the build packs (target/classes/node.properties) and parses is the file in config/.
        assertThat(NodeConfig.defaults().asMap()).isEqualTo(new java.util.TreeMap<>(propertiesFile()));
    }
}
