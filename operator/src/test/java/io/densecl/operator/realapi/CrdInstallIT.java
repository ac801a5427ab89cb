package io.densecl.operator.realapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The committed CRD on the real kube-apiserver: it installs, becomes Established with its names accepted, is
 * served under its short name, and keeps what the generator wrote. The Fabric8 mock accepts any CRD; the real
 * server estimates the cost of every CEL rule and refused this one until evaluation names got a maxLength.
 */
class CrdInstallIT {

    @BeforeAll
    static void install() throws Exception {
        RealApi.assumeAvailable();
        RealApi.installCrd();
    }

    @Test
    void theCommittedCrdIsEstablishedAndServed() throws Exception {
        CustomResourceDefinition crd = RealApi.admin()
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName(RealApi.CRD_NAME)
                .get();
        assertThat(crd.getStatus().getConditions())
                .anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("Established");
                    assertThat(c.getStatus()).isEqualTo("True");
                })
                .anySatisfy(c -> {
                    assertThat(c.getType()).isEqualTo("NamesAccepted");
                    assertThat(c.getStatus()).isEqualTo("True");
                });
        assertThat(crd.getStatus().getAcceptedNames().getShortNames()).containsExactly("dcl");
        assertThat(crd.getStatus().getStoredVersions()).containsExactly("v1alpha1");
        // what the server stored is what the generator wrote (no field of ours was dropped or rewritten)
        CustomResourceDefinition committed = RealApi.admin()
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .load(Files.newInputStream(RealApi.CRD))
                .item();
        assertThat(crd.getSpec().getVersions().get(0).getAdditionalPrinterColumns())
                .extracting(CustomResourceColumnDefinition::getName)
                .containsExactlyElementsOf(
                        committed.getSpec().getVersions().get(0).getAdditionalPrinterColumns().stream()
                                .map(CustomResourceColumnDefinition::getName)
                                .toList());
        assertThat(crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema())
                .isEqualTo(committed.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema());

        RealApi.Result resources = RealApi.kubectl("api-resources", "--api-group=densecl.io", "-o", "wide");
        assertThat(resources.code()).as(resources.err()).isZero();
        assertThat(resources.out())
                .contains("denseclruns")
                .contains("dcl")
                .contains("densecl.io/v1alpha1")
                .contains("DenseCLRun");
    }

    /**
     * Why evaluation names carry a maxLength although their pattern already bounds them: the server's static CEL
     * cost estimate reads maxLength/maxItems only. The same CRD without it (under another group, dry run) is refused.
     */
    @Test
    void withoutTheMaxLengthTheUniquenessRuleExceedsTheCelCostBudget() throws Exception {
        CustomResourceDefinition crd = RealApi.admin()
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .load(Files.newInputStream(RealApi.CRD))
                .item();
        crd.getMetadata().setName("denseclruns.costcheck.densecl.io");
        crd.getSpec().setGroup("costcheck.densecl.io");
        JSONSchemaProps name = crd.getSpec()
                .getVersions()
                .get(0)
                .getSchema()
                .getOpenAPIV3Schema()
                .getProperties()
                .get("spec")
                .getProperties()
                .get("evaluations")
                .getItems()
                .getSchema()
                .getProperties()
                .get("name");
        assertThat(name.getMaxLength()).isEqualTo(32L);
        name.setMaxLength(null);

        assertThatThrownBy(() -> RealApi.admin().resource(crd).dryRun().create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage())
                            .contains("spec.validation.openAPIV3Schema.properties[spec].properties[evaluations]")
                            .contains("estimated rule cost exceeds budget");
                });
    }
}
