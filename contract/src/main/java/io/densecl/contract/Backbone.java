package io.densecl.contract;

/** The ResNet backbones the trainer builds (torchvision v1.5 layouts); the CRD's model.backbone enum. */
public enum Backbone {
    resnet18,
    resnet34,
    resnet50,
    resnet101
}
