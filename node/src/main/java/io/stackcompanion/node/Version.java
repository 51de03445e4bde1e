package io.stackcompanion.node;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The software version, as the build stamped it; recordings carry it. */
public final class Version {
    public static final String SOFTWARE = read();

    private Version() {
    }

    private static String read() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/stack-companion-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            return "unknown";
        }
        return p.getProperty("version", "unknown");
    }
}
