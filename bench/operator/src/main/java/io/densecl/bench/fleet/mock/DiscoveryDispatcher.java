package io.densecl.bench.fleet.mock;

import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * The (indexed) Fabric8 CRUD dispatcher plus the discovery documents kubectl needs before it sends a request
 * ({@code /api}, {@code /apis}, resource lists, {@code /version}): with them, {@code kubectl get dcl},
 * {@code apply --validate=false}, {@code patch} and {@code delete} work against the embedded server.
 */
final class DiscoveryDispatcher extends IndexedCrudDispatcher {
    private static final String CORE = """
            {"kind":"APIResourceList","groupVersion":"v1","resources":[
             {"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","shortNames":["po"],"verbs":["create","delete","get","list","patch","update","watch"]},
             {"name":"pods/status","singularName":"","namespaced":true,"kind":"Pod","verbs":["get","patch","update"]},
             {"name":"configmaps","singularName":"configmap","namespaced":true,"kind":"ConfigMap","shortNames":["cm"],"verbs":["create","delete","get","list","patch","update","watch"]},
             {"name":"persistentvolumeclaims","singularName":"persistentvolumeclaim","namespaced":true,"kind":"PersistentVolumeClaim","shortNames":["pvc"],"verbs":["create","delete","get","list","patch","update","watch"]},
             {"name":"events","singularName":"event","namespaced":true,"kind":"Event","shortNames":["ev"],"verbs":["create","delete","get","list","patch","update","watch"]},
             {"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace","shortNames":["ns"],"verbs":["create","delete","get","list","patch","update","watch"]}]}""";
    private static final String DENSECL = """
            {"kind":"APIResourceList","groupVersion":"densecl.io/v1alpha1","resources":[
             {"name":"denseclruns","singularName":"denseclrun","namespaced":true,"kind":"DenseCLRun","shortNames":["dcl"],"categories":["all"],"verbs":["create","delete","get","list","patch","update","watch"]},
             {"name":"denseclruns/status","singularName":"","namespaced":true,"kind":"DenseCLRun","verbs":["get","patch","update"]}]}""";
    private static final String APIEXT = """
            {"kind":"APIResourceList","groupVersion":"apiextensions.k8s.io/v1","resources":[
             {"name":"customresourcedefinitions","singularName":"customresourcedefinition","namespaced":false,"kind":"CustomResourceDefinition","shortNames":["crd"],"verbs":["create","delete","get","list","patch","update","watch"]}]}""";
    private static final String GROUPS = """
            {"kind":"APIGroupList","apiVersion":"v1","groups":[
             {"name":"densecl.io","versions":[{"groupVersion":"densecl.io/v1alpha1","version":"v1alpha1"}],"preferredVersion":{"groupVersion":"densecl.io/v1alpha1","version":"v1alpha1"}},
             {"name":"apiextensions.k8s.io","versions":[{"groupVersion":"apiextensions.k8s.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apiextensions.k8s.io/v1","version":"v1"}}]}""";
    private static final String VERSIONS =
            "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1\"}]}";
    private static final String VERSION =
            "{\"major\":\"1\",\"minor\":\"32\",\"gitVersion\":\"v1.32.0-densecl-local\",\"platform\":\"linux/amd64\"}";

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        int q = path.indexOf('?');
        String bare = q < 0 ? path : path.substring(0, q);
        if ("GET".equals(request.getMethod())) {
            String body = switch (bare) {
                case "/api" -> VERSIONS;
                case "/apis" -> GROUPS;
                case "/api/v1" -> CORE;
                case "/apis/densecl.io/v1alpha1" -> DENSECL;
                case "/apis/apiextensions.k8s.io/v1" -> APIEXT;
                case "/version" -> VERSION;
                default -> null;
            };
            if (body != null) {
                return new MockResponse()
                        .setResponseCode(200)
                        .addHeader("Content-Type: application/json")
                        .setBody(body);
            }
        }
        return super.dispatch(request);
    }
}
