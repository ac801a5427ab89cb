package io.densecl.local;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rewrites container paths (mount points, the termination log) to the local directories behind them. */
final class PathMapper {
    private final Map<String, Path> mounts = new LinkedHashMap<>();

    void map(String containerPath, Path local) {
        mounts.put(containerPath.endsWith("/") && containerPath.length() > 1 ? containerPath.substring(0, containerPath.length() - 1) : containerPath, local);
    }

    /** Every occurrence of a mapped prefix (at a path boundary), longest first, in free text or JSON. */
    String rewrite(String text) {
        List<String> keys = mounts.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed()).toList();
        StringBuilder out = new StringBuilder();
        int i = 0;
        outer:
        while (i < text.length()) {
            for (String k : keys) {
                if (text.startsWith(k, i) && boundaryBefore(text, i) && boundaryAfter(text, i + k.length())) {
                    out.append(mounts.get(k).toString());
                    i += k.length();
                    continue outer;
                }
            }
            out.append(text.charAt(i++));
        }
        return out.toString();
    }

    private static boolean boundaryBefore(String t, int i) {
        return i == 0 || "\" =:,[".indexOf(t.charAt(i - 1)) >= 0;
    }

    private static boolean boundaryAfter(String t, int i) {
        return i == t.length() || "/\" ,]}".indexOf(t.charAt(i)) >= 0;
    }
}
