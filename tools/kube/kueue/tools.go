//go:build tools

// Package tools pins the Kueue manager (sigs.k8s.io/kueue/cmd/kueue) for tools/kube/build.sh --with-kueue.
package tools

import _ "sigs.k8s.io/kueue/cmd/kueue"
