package org.apache.flink.python.util;

import org.apache.flink.client.cli.CliFrontendParser;
import org.apache.flink.configuration.Configuration;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;

import java.util.List;

/**
 * The part of flink-python the SQL client's embedded mode always calls, for images without PyFlink:
 * the client reads its Python options through this class by reflection, and would not start
 * without it. Without Python options there is nothing to configure; with them, the client stops with
 * a message saying what to add. It is in /opt/flink/classes, which every Flink process has on its
 * class path after lib/, so a flink-python jar added to lib/ takes precedence.
 */
public final class PythonDependencyUtils {

    private static final List<Option> PYTHON_OPTIONS = List.of(CliFrontendParser.PYFILES_OPTION,
            CliFrontendParser.PYREQUIREMENTS_OPTION, CliFrontendParser.PYARCHIVE_OPTION, CliFrontendParser.PYEXEC_OPTION,
            CliFrontendParser.PYCLIENTEXEC_OPTION, CliFrontendParser.PYTHON_PATH);

    private PythonDependencyUtils() {}

    public static Configuration parsePythonDependencyConfiguration(CommandLine line) {
        for (Option option : PYTHON_OPTIONS) {
            if (line.hasOption(option.getOpt())) {
                throw new IllegalArgumentException("--" + option.getLongOpt() + " needs PyFlink, which this image "
                        + "leaves out: add flink-python-2.3.0.jar to /opt/flink/lib in a derived image");
            }
        }
        return new Configuration();
    }
}
