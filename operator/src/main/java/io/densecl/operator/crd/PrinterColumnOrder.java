package io.densecl.operator.crd;

import io.densecl.operator.api.v1alpha1.DenseCLRun;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.model.annotation.Group;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Build-time CRD post-processor ({@code quarkus.operator-sdk.crd.post-processor}): the generator sorts printer
 * columns by JSON path; this puts them back in the order they are declared on {@link DenseCLRun}, so
 * {@code kubectl get dcl} shows Phase, Epoch, Progress%, Loss, Ckpt, Restarts, Best, Age.
 */
public class PrinterColumnOrder implements CRDPostProcessor {

    @Override
    public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
        if (crd instanceof CustomResourceDefinition v1
                && v1.getSpec() != null
                && DenseCLRun.class
                        .getAnnotation(Group.class)
                        .value()
                        .equals(v1.getSpec().getGroup())) {
            List<String> declared = declaredOrder();
            v1.getSpec().getVersions().forEach(v -> {
                if (v.getAdditionalPrinterColumns() != null) {
                    v.setAdditionalPrinterColumns(ordered(v.getAdditionalPrinterColumns(), declared));
                }
            });
        }
        return crd;
    }

    /** Column names in declaration order. */
    public static List<String> declaredOrder() {
        return Arrays.stream(DenseCLRun.class.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name)
                .toList();
    }

    static List<CustomResourceColumnDefinition> ordered(
            List<CustomResourceColumnDefinition> columns, List<String> declared) {
        List<CustomResourceColumnDefinition> sorted = new ArrayList<>(columns);
        // Stable: columns not declared on the class (none today) keep their relative order at the end.
        sorted.sort(Comparator.comparingInt(c -> {
            int i = declared.indexOf(c.getName());
            return i < 0 ? Integer.MAX_VALUE : i;
        }));
        return sorted;
    }
}
