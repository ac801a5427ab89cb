package io.densecl.local;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rewrites container paths (mount points, the termination log) to the local directories behind them. */
final class PathMapper {
    private final Map<String, Path> mounts = new LinkedHashMap<>();
    private final List<String> local = new java.util.ArrayList<>();

    /**
     * Paths under {@code root} are already local and stay as they are. They come back from trainers
     * (checkpoint paths in termination messages) and reach other pods through the operator; without
     * this a state directory under /tmp would be rewritten into the pod's /tmp volume.
     */
    void keepLocal(Path root) {
        local.add(root.toString());
    }

    void map(String containerPath, Path local) {
        mounts.put(
                containerPath.endsWith("/") && containerPath.length() > 1
                        ? containerPath.substring(0, containerPath.length() - 1)
                        : containerPath,
                local);
    }

    /** Every occurrence of a mapped prefix (at a path boundary), longest first, in free text or JSON. */
    String rewrite(String text) {
        List<String> keys = mounts.keySet().stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        StringBuilder out = new StringBuilder();
        int i = 0;
        outer:
        while (i < text.length()) {
            for (String l : local) {
                if (text.startsWith(l, i) && boundaryBefore(text, i)) {
                    int end = i;
                    while (end < text.length() && "\" ,]}".indexOf(text.charAt(end)) < 0) end++;
                    out.append(text, i, end);
                    i = end;
                    continue outer;
                }
            }
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
